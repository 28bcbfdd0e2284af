package org.supcon.trainer.producer;

import org.supcon.trainer.ingest.LabeledImageMapper;
import org.supcon.trainer.ingest.LabeledImageMapperTest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.DatasetException;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.images.TestImages;

class IngestSourceTest {

    private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void imageSetPartsFollowEachOtherWithTheirOwnIdsAndLimit() throws IOException {
        ImageSet train = TestImages.indexed(new ImageGeometry(1, 2, 2), 3, 3);
        ImageSet test = TestImages.indexed(new ImageGeometry(1, 2, 2), 2, 2);
        IngestSource s = IngestSource.imageSets("toy",
                List.of(new IngestSource.Part("train", train), new IngestSource.Part("test", test)), 3, CREATED);
        assertEquals(6, s.size());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            ids.add(s.record(i).getId());
            assertEquals(s.id(i), s.record(i).getId());
        }
        assertEquals(List.of("toy/train/000000", "toy/train/000001", "toy/train/000002",
                "toy/test/000000", "toy/test/000001", "toy/test/000002"), ids);
        LabeledImage fourth = s.record(4);
        assertEquals("test", fourth.getSplit());
        assertArrayEquals(java.util.Arrays.copyOfRange(test.pixels(), test.offset(1), test.offset(1) + 4),
                LabeledImageMapper.rawPixelsChw(fourth));
        assertEquals("toy train 3 + test 3 images", s.description());
        assertEquals(10, IngestSource.imageSets("toy", List.of(new IngestSource.Part("train", train),
                new IngestSource.Part("test", test)), 0, CREATED).size());
    }

    @Test
    void folderFollowsTheImageFolderRules(@TempDir Path root) throws IOException {
        write(root.resolve("sneaker/b.png"), LabeledImageMapperTest.png());
        write(root.resolve("sneaker/a.PNG"), LabeledImageMapperTest.png());
        write(root.resolve("sneaker/2024/c.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1});
        write(root.resolve("sneaker/.hidden.png"), LabeledImageMapperTest.png());
        write(root.resolve("sneaker/.cache/d.png"), LabeledImageMapperTest.png());
        write(root.resolve("sneaker/readme.txt"), new byte[] {1});
        write(root.resolve("boot/z.jpeg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 2});
        write(root.resolve("loose.png"), LabeledImageMapperTest.png());
        write(root.resolve(".trash/x.png"), LabeledImageMapperTest.png());
        IngestSource s = IngestSource.folder(root, 0, CREATED);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            LabeledImage image = s.record(i);
            ids.add(image.getId());
            assertEquals(s.id(i), image.getId());
            assertEquals(image.getId().split("/")[1], image.getLabel());
        }
        assertEquals(List.of("folder/boot/z.jpeg", "folder/sneaker/2024/c.jpg", "folder/sneaker/a.PNG",
                "folder/sneaker/b.png"), ids);
        assertTrue(s.record(1).getSource().endsWith("/sneaker/2024/c.jpg"), s.record(1).getSource());
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1}, s.record(1).getImage().toByteArray());
        assertEquals(2, IngestSource.folder(root, 2, CREATED).size());
    }

    @Test
    void aFileThatIsNoImageFailsOnlyItsRecord(@TempDir Path root) throws IOException {
        write(root.resolve("a/good.png"), LabeledImageMapperTest.png());
        write(root.resolve("a/bad.png"), "not an image".getBytes());
        IngestSource s = IngestSource.folder(root, 0, CREATED);
        assertEquals("folder/a/bad.png", s.id(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.record(0));
        assertTrue(e.getMessage().contains("folder/a/bad.png is not a PNG or JPEG"), e.getMessage());
        assertEquals("folder/a/good.png", s.record(1).getId());
    }

    @Test
    void folderProblemsNameTheFolder(@TempDir Path root) throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> IngestSource.folder(root.resolve("nope"), 0, CREATED));
        assertTrue(e.getMessage().contains("nope does not exist"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> IngestSource.folder(root, 0, CREATED));
        assertTrue(e.getMessage().contains("no label folders"), e.getMessage());
        Files.createDirectories(root.resolve("empty"));
        e = assertThrows(DatasetException.class, () -> IngestSource.folder(root, 0, CREATED));
        assertTrue(e.getMessage().contains("empty contains no .png, .jpg or .jpeg images"), e.getMessage());
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
