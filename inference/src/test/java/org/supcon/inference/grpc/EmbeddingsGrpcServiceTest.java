package org.supcon.inference.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.inference.testing.Fixtures.MODEL;
import static org.supcon.inference.testing.Fixtures.assertClose;

import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.EmbedStreams;
import org.supcon.inference.testing.Fixtures;
import org.supcon.testing.images.PngBombs;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbedResponse;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.RawPixels;
import org.supcon.proto.v1.PredictRequest;
import org.supcon.proto.v1.PredictResponse;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.supcon.inference.testing.TwoVersionsRepository;

/** supcon.v1.Embeddings with real PNG and JPEG Fashion-MNIST images and the real test models. */
@QuarkusTest
@QuarkusTestResource(value = TwoVersionsRepository.class, restrictToAnnotatedClass = true)
class EmbeddingsGrpcServiceTest {

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;
    private EmbeddingsGrpc.EmbeddingsBlockingStub api;

    @BeforeEach
    void connect() {
        TwoVersionsRepository.awaitVersion2();
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        api = EmbeddingsGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Image file(String name) {
        return Image.newBuilder().setEncoded(ByteString.copyFrom(Fixtures.bytes(name))).setId(name).build();
    }

    private static Image raw(int index) {
        return Image.newBuilder().setRaw(RawPixels.newBuilder().setWidth(28).setHeight(28).setChannels(1)
                .setData(ByteString.copyFrom(Fixtures.grayPixels(index)))).build();
    }

    @Test
    void embedPngAndRawPixelsEqualsOnnxRuntime() {
        EmbedResponse res = api.embed(EmbedRequest.newBuilder().addImages(file("t10k-00000.png")).addImages(raw(1)).build());
        assertEquals(MODEL, res.getModelName());
        assertEquals(2, res.getModelVersion());
        assertEquals(2, res.getEmbeddingsCount());
        assertEquals("t10k-00000.png", res.getEmbeddings(0).getId());
        Map<String, float[]> expected = Fixtures.reference(2, Fixtures.batch(2), 2);
        float[] got = new float[expected.get("embedding").length];
        int d = res.getEmbeddings(0).getValuesCount();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < d; j++) {
                got[i * d + j] = res.getEmbeddings(i).getValues(j);
            }
        }
        assertClose(expected.get("embedding"), got);
    }

    @Test
    void predictJpegsGivesTopKOfTheirLabelsWithTheVersion() throws Exception {
        List<String> csv = Files.readAllLines(Fixtures.IMAGES.resolve("labels.csv"));
        PredictRequest.Builder req = PredictRequest.newBuilder().setTopK(3).setModelVersion(1);
        List<String> truth = new ArrayList<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            if (f[0].endsWith(".jpg") && truth.size() < 8) {
                req.addImages(file(f[0]));
                truth.add(f[2]);
            }
        }
        PredictResponse res = api.predict(req.build());
        assertEquals(1, res.getModelVersion());
        assertEquals(truth.size(), res.getPredictionsCount());
        int top1 = 0;
        for (int i = 0; i < truth.size(); i++) {
            var labels = res.getPredictions(i).getLabelsList();
            assertEquals(3, labels.size());
            assertTrue(labels.get(0).getProbability() >= labels.get(1).getProbability()
                    && labels.get(1).getProbability() >= labels.get(2).getProbability());
            top1 += labels.get(0).getLabel().equals(truth.get(i)) ? 1 : 0;
        }
        // a trained model (even a small one) classifies most of eight JPEGs right; chance is 0.8
        assertTrue(top1 >= 5, "top-1 right for " + top1 + " of " + truth.size());
        assertEquals(5, api.predict(PredictRequest.newBuilder().addImages(file("t10k-00000.png")).build())
                .getPredictions(0).getLabelsCount());
    }

    private EmbedStreams.Result stream(List<EmbedRequest> requests) {
        return EmbedStreams.run(EmbeddingsGrpc.newStub(channel), requests);
    }

    @Test
    void embedStreamAnswersEveryRequestInOrder() throws Exception {
        List<EmbedRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(EmbedRequest.newBuilder().addImages(file(String.format("t10k-%05d.png", i)))
                    .addImages(file(String.format("t10k-%05d.png", i + 1))).build());
        }
        EmbedStreams.Result result = stream(requests);
        result.done().get(60, TimeUnit.SECONDS);
        assertEquals(12, result.answers().size());
        for (int i = 0; i < 12; i++) {
            EmbedResponse r = result.answers().get(i);
            assertEquals(String.format("t10k-%05d.png", i), r.getEmbeddings(0).getId());
            assertEquals(2, r.getEmbeddingsCount());
        }
    }

    @Test
    void embedStreamEndsWithTheStatusOfTheFirstBadRequest() throws Exception {
        EmbedStreams.Result result = stream(List.of(EmbedRequest.newBuilder().addImages(file("t10k-00000.png")).build(),
                EmbedRequest.newBuilder().addImages(Image.newBuilder().setEncoded(ByteString.copyFromUtf8("not an image"))).build()));
        CompletableFuture<Void> done = result.done();
        List<EmbedResponse> answers = result.answers();
        Exception e = assertThrows(Exception.class, () -> done.get(60, TimeUnit.SECONDS));
        Status status = Status.fromThrowable(e.getCause());
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().startsWith("request 1: image 0"), status.getDescription());
        assertEquals(1, answers.size());
    }

    @Test
    void badRequestsAreRefusedAndTheServerServesOn() {
        byte[] png = Fixtures.bytes("t10k-00000.png");
        refused(Status.Code.INVALID_ARGUMENT, "image 1 (broken.png) cannot be decoded", EmbedRequest.newBuilder()
                .addImages(file("t10k-00000.png"))
                .addImages(Image.newBuilder().setId("broken.png").setEncoded(ByteString.copyFrom(png, 0, png.length / 2))));
        refused(Status.Code.INVALID_ARGUMENT, "is not a PNG or JPEG", EmbedRequest.newBuilder()
                .addImages(Image.newBuilder().setEncoded(ByteString.copyFromUtf8("GIF? no, text"))));
        refused(Status.Code.INVALID_ARGUMENT, "raw 27x28x1", EmbedRequest.newBuilder()
                .addImages(Image.newBuilder().setRaw(raw(0).getRaw().toBuilder().setWidth(27))));
        refused(Status.Code.INVALID_ARGUMENT, "no images", EmbedRequest.newBuilder());
        refused(Status.Code.NOT_FOUND, "version 7", EmbedRequest.newBuilder().setModelVersion(7).addImages(raw(0)));
        EmbedRequest.Builder big = EmbedRequest.newBuilder();
        for (int i = 0; i < 9; i++) {
            big.addImages(raw(0));
        }
        refused(Status.Code.RESOURCE_EXHAUSTED, "limit of 8", big);
        // a decompression bomb: a few hundred bytes claiming 60000x60000 pixels, refused from its header
        refused(Status.Code.RESOURCE_EXHAUSTED, "image 0 (bomb.png) is 60000x60000 pixels", EmbedRequest.newBuilder()
                .addImages(Image.newBuilder().setId("bomb.png")
                        .setEncoded(ByteString.copyFrom(PngBombs.png(60_000, 60_000, PngBombs.GRAY, 8, 2)))));
        StatusRuntimeException topK = assertThrows(StatusRuntimeException.class,
                () -> api.predict(PredictRequest.newBuilder().setTopK(1000).addImages(raw(0)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, topK.getStatus().getCode());

        assertEquals(1, api.embed(EmbedRequest.newBuilder().addImages(raw(0)).build()).getEmbeddingsCount());
    }

    private void refused(Status.Code code, String mention, EmbedRequest.Builder request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.embed(request.build()));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(mention), e.getStatus().getDescription());
    }
}
