package org.supcon.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.inference.testing.TestModels;

/** Started on an empty repository: 503 and readiness DOWN until the first version is published. */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "empty", value = "true"))
class NoModelTest {

    /** Health, metrics and OpenAPI: the management interface. */
    @TestHTTPResource(value = "", management = true)
    String management;

    @Test
    void unavailableUntilAVersionIsPublished() throws Exception {
        byte[] png = TestModels.resource("images/t10k-00006.png");
        given().get(management + "health/live").then().statusCode(200);
        given().get(management + "health/ready").then().statusCode(503).body("checks[0].data.reason", containsString("no valid model"));
        given().contentType("image/png").body(png).post("/v1/predictions").then().statusCode(503)
                .header("Retry-After", "5").body("error", containsString("no version of fashion-mnist-supcon is loaded"));
        given().multiPart("image", "a.png", png, "image/png").post("/v1/embeddings").then().statusCode(503);

        TestModels.publish(ModelRepositoryResource.root(), 1, TestModels.model(1), TestModels.card(1), true);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (given().get(management + "health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("version 1 was not loaded within 60 s");
            }
            Thread.sleep(50);
        }
        given().get(management + "health/ready").then().body("checks[0].data.version", equalTo(1));
        given().contentType("image/png").body(png).post("/v1/predictions").then().statusCode(200).body("version", equalTo(1));
    }
}
