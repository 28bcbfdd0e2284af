package org.supcon.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.supcon.inference.testing.Fixtures.MODEL;
import static org.supcon.inference.testing.Fixtures.PIXELS;
import static org.supcon.inference.testing.Fixtures.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.Fixtures;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.supcon.inference.testing.TwoVersionsRepository;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** OIP v2 over HTTP/REST against the real test models, answers compared with a plain OrtSession. */
@QuarkusTest
@QuarkusTestResource(value = TwoVersionsRepository.class, restrictToAnnotatedClass = true)
class OipResourceTest {

    @org.junit.jupiter.api.BeforeEach
    void bothVersions() {
        TwoVersionsRepository.awaitVersion2();
    }

    @Test
    void healthAndMetadata() {
        given().get("/v2/health/live").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(200);
        given().get("/v2").then().statusCode(200).body("name", equalTo("supcon-inference"));
        given().get("/v2/models/" + MODEL + "/ready").then().statusCode(200);
        given().get("/v2/models/" + MODEL + "/versions/1/ready").then().statusCode(200);
        given().get("/v2/models/" + MODEL + "/versions/9/ready").then().statusCode(404);
        given().get("/v2/models/other/ready").then().statusCode(404);
        given().get("/v2/models/" + MODEL).then().statusCode(200)
                .body("name", equalTo(MODEL))
                .body("versions", equalTo(List.of("1", "2")))
                .body("platform", equalTo("onnxruntime_onnx"))
                .body("inputs[0].name", equalTo("images"))
                .body("inputs[0].datatype", equalTo("FP32"))
                .body("inputs[0].shape", equalTo(List.of(-1, 1, 28, 28)))
                .body("outputs.name", equalTo(List.of("embedding", "logits", "probabilities")))
                .body("outputs[1].shape", equalTo(List.of(-1, 10)));
        given().get("/v2/models/" + MODEL + "/versions/1").then().statusCode(200).body("name", equalTo(MODEL));
        given().get("/v2/models/" + MODEL + "/versions/9").then().statusCode(404).body("error", containsString("version 9"));
        given().get("/v2/models/other").then().statusCode(404).body("error", containsString("unknown model 'other'"));
    }

    @Test
    void flatFp32EqualsOnnxRuntime() {
        int n = 2;
        float[] images = Fixtures.batch(n);
        List<Float> data = new ArrayList<>();
        for (float v : images) {
            data.add(v);
        }
        JsonPath res = infer("", body("42", "FP32", List.of(n, 1, 28, 28), data, null), 200);
        assertEquals(MODEL, res.getString("model_name"));
        assertEquals("2", res.getString("model_version"));
        assertEquals("42", res.getString("id"));
        assertEquals(List.of("embedding", "logits", "probabilities"), res.getList("outputs.name"));
        assertEquals(List.of(n, 10), res.getList("outputs[2].shape"));
        assertEquals("FP32", res.getString("outputs[0].datatype"));
        Map<String, float[]> expected = Fixtures.reference(2, images, n);
        for (int i = 0; i < 3; i++) {
            assertClose(expected.get(res.getString("outputs[" + i + "].name")), floats(res.getList("outputs[" + i + "].data", Float.class)));
        }
    }

    @Test
    void nestedUint8WithRequestedOutputsAndAVersion() {
        byte[] px = Fixtures.grayPixels(0);
        List<Object> rows = new ArrayList<>();
        for (int y = 0; y < 28; y++) {
            List<Integer> row = new ArrayList<>();
            for (int x = 0; x < 28; x++) {
                row.add(px[y * 28 + x] & 0xFF);
            }
            rows.add(row);
        }
        List<Object> nested = List.of(List.of(rows));
        JsonPath res = infer("1", body(null, "UINT8", List.of(1, 1, 28, 28), nested, List.of("logits")), 200);
        assertEquals("1", res.getString("model_version"));
        org.junit.jupiter.api.Assertions.assertNull(res.get("id"));
        assertEquals(List.of("logits"), res.getList("outputs.name"));
        float[] logits1 = floats(res.getList("outputs[0].data", Float.class));
        assertClose(Fixtures.reference(1, Fixtures.batch(1), 1).get("logits"), logits1);
        float[] logits2 = floats(infer("2", body(null, "UINT8", List.of(1, 1, 28, 28), nested, List.of("logits")), 200)
                .getList("outputs[0].data", Float.class));
        assertNotEquals(logits1[0], logits2[0]);
    }

    @Test
    void badRequestsAreRefusedWithTheirStatusAndTheServerServesOn() {
        List<Integer> pixels = new ArrayList<>();
        for (int i = 0; i < PIXELS; i++) {
            pixels.add(i % 256);
        }
        refused("", "{\"inputs\": [", 400, "malformed JSON");
        refused("", body(null, "UINT8", List.of(1, 1, 28, 27), pixels, null), 400, "[1, 1, 28, 27]");
        refused("", body(null, "INT64", List.of(1, 1, 28, 28), pixels, null), 400, "INT64");
        refused("", body(null, "UINT8", List.of(1, 1, 28, 28), pixels.subList(0, 700), null), 400, "holds 700 values");
        refused("", body(null, "UINT8", List.of(1, 1, 28, 28), pixels, List.of("scores")), 400, "'scores'");
        List<Object> bad = new ArrayList<>(pixels);
        bad.set(5, "x");
        refused("", body(null, "FP32", List.of(1, 1, 28, 28), bad, null), 400, "element 5 is string");
        refused("9", body(null, "UINT8", List.of(1, 1, 28, 28), pixels, null), 404, "version 9");
        List<Integer> big = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            big.addAll(pixels);
        }
        refused("", body(null, "UINT8", List.of(9, 1, 28, 28), big, null), 413, "limit of 8");
        given().contentType(ContentType.JSON).body(body(null, "UINT8", List.of(1, 1, 28, 28), pixels, null))
                .post("/v2/models/mnist/infer").then().statusCode(404).body("error", containsString("unknown model 'mnist'"));

        given().get("/v2/health/ready").then().statusCode(200);
        given().contentType(ContentType.JSON).body(body(null, "UINT8", List.of(1, 1, 28, 28), pixels, null))
                .post("/v2/models/" + MODEL + "/infer").then().statusCode(200).body("outputs", hasSize(3));
    }

    /** A version path segment that is not a number is a 400 naming it, on every endpoint that takes one. */
    @Test
    void aVersionThatIsNotANumberIs400NamingIt() {
        List<Integer> pixels = new ArrayList<>();
        for (int i = 0; i < PIXELS; i++) {
            pixels.add(i % 256);
        }
        String message = "path parameter \"version\" must be an integer, got \"abc\"";
        refused("abc", body(null, "UINT8", List.of(1, 1, 28, 28), pixels, null), 400, message);
        given().get("/v2/models/" + MODEL + "/versions/abc").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo(message));
        given().get("/v2/models/" + MODEL + "/versions/abc/ready").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo(message));
        given().get("/v2/models/" + MODEL + "/versions/2/ready").then().statusCode(200);
    }

    private static void refused(String version, Object body, int status, String mention) {
        String path = version.isEmpty() ? "/v2/models/" + MODEL + "/infer" : "/v2/models/" + MODEL + "/versions/" + version + "/infer";
        given().contentType(ContentType.JSON).body(body).post(path).then()
                .statusCode(status).contentType(ContentType.JSON).body("error", containsString(mention));
    }

    private static JsonPath infer(String version, Object body, int status) {
        String path = version.isEmpty() ? "/v2/models/" + MODEL + "/infer" : "/v2/models/" + MODEL + "/versions/" + version + "/infer";
        return given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(status).extract().jsonPath();
    }

    private static Map<String, Object> body(String id, String datatype, List<Integer> shape, List<?> data, List<String> outputs) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "images");
        input.put("shape", shape);
        input.put("datatype", datatype);
        input.put("data", data);
        Map<String, Object> body = new LinkedHashMap<>();
        if (id != null) {
            body.put("id", id);
        }
        body.put("inputs", List.of(input));
        if (outputs != null) {
            body.put("outputs", outputs.stream().map(o -> Map.of("name", o)).toList());
        }
        return body;
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
