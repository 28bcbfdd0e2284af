package org.supcon.trainer.producer;

import org.supcon.trainer.ingest.LabeledImageMapper;
import org.supcon.trainer.ingest.LabeledImageMapperTest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageSet;
import org.supcon.testing.kafka.KafkaBroker;

/** {@code ingest} against a real broker, read back with a plain consumer. */
class IngestToKafkaTest {

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws IOException {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void publishesFashionMnistWithStableIdsAndRepublishesTheSameIds() throws IOException {
        String topic = "labeled-images-" + UUID.randomUUID();
        List<String> args = List.of("--dataset", "fashion-mnist", "--limit", "1000", "--topic", topic);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        IngestSummary first = command(console).run(args);
        assertEquals(1000, first.sent(), console::toString);
        assertEquals(0, first.failed(), console::toString);
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("ingest done: 1000 sent, 0 failed"), console::toString);

        ImageSet expected = FashionMnist.train(FashionMnist.defaultDirectory()).head(1000);
        List<ConsumerRecord<String, byte[]>> records = readAll(topic);
        assertEquals(1000, records.size());
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            LabeledImage image = parse(r.value());
            assertEquals(r.key(), image.getId());
            assertTrue(r.key().matches("fashion-mnist/train/\\d{6}"), r.key());
            int index = Integer.parseInt(r.key().substring(r.key().lastIndexOf('/') + 1));
            assertEquals(FashionMnist.LABELS.get(expected.label(index)), image.getLabel(), r.key());
            assertEquals("train", image.getSplit());
            keys.add(r.key());
        }
        assertEquals(1000, keys.size());

        LabeledImage one = parse(records.stream().filter(r -> r.key().equals("fashion-mnist/train/000123")).findFirst()
                .orElseThrow().value());
        assertEquals(ImageEncoding.IMAGE_ENCODING_RAW_U8, one.getEncoding());
        assertEquals(List.of(28, 28, 1), List.of(one.getWidth(), one.getHeight(), one.getChannels()));
        byte[] pixels = new byte[784];
        System.arraycopy(expected.pixels(), expected.offset(123), pixels, 0, 784);
        assertArrayEquals(pixels, LabeledImageMapper.rawPixelsChw(one));

        IngestSummary second = command(new ByteArrayOutputStream()).run(args);
        assertEquals(1000, second.sent());
        List<ConsumerRecord<String, byte[]>> again = readAll(topic);
        assertEquals(2000, again.size());
        assertEquals(keys, new HashSet<>(again.stream().map(ConsumerRecord::key).toList()));
    }

    @Test
    void aFolderFileThatIsNoImageIsCountedAsFailedAndTheRestIsSent(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("boot"));
        Files.createDirectories(root.resolve("sandal"));
        Files.write(root.resolve("boot/a.png"), LabeledImageMapperTest.png());
        Files.write(root.resolve("sandal/b.png"), LabeledImageMapperTest.png());
        Files.writeString(root.resolve("sandal/broken.png"), "<html>not found</html>");
        String topic = "folder-" + UUID.randomUUID();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        IngestSummary summary = command(console).run(List.of("--dataset", root.toString(), "--topic", topic));
        assertEquals(2, summary.sent(), console::toString);
        assertEquals(1, summary.failed(), console::toString);
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("first failures:\n  folder/sandal/broken.png: folder/sandal/broken.png is not a PNG or JPEG"),
                text);
        assertEquals(List.of("folder/boot/a.png", "folder/sandal/b.png"), readAll(topic).stream().map(ConsumerRecord::key).toList());
    }

    private static IngestCommand command(ByteArrayOutputStream console) {
        return new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), kafka.clientConfig(),
                FashionMnist.defaultDirectory(), false);
    }

    private static LabeledImage parse(byte[] value) throws InvalidProtocolBufferException {
        return LabeledImage.parseFrom(value);
    }

    /** Every record of {@code topic}, keys as text. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return kafka.readAll(topic).stream().map(r -> new ConsumerRecord<>(r.topic(), r.partition(), r.offset(),
                new String(r.key(), StandardCharsets.UTF_8), r.value())).toList();
    }
}
