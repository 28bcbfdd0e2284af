package org.supcon.inference.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.inference.testing.TestModels;

/** At start: the newest valid version is served (a broken newer one is refused), older ones fill keep-versions. */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "v2-and-broken-v3", value = "true"))
class StartupTest {

    /** Health, metrics and OpenAPI: the management interface. */
    @TestHTTPResource(value = "", management = true)
    String management;

    @Inject
    ModelManager manager;

    @Test
    void theNewestValidVersionServesAndTheOneBeforeAnswersItsVersion() {
        assertEquals(2, manager.latest().orElseThrow().version());
        assertEquals(List.of(1L, 2L), manager.loadedVersions());
        assertEquals(1, manager.refusals());
        given().get(management + "health/ready").then().statusCode(200).body("checks[0].data.version", equalTo(2))
                .body("checks[0].data.lastRefused", containsString("v3"));
        byte[] png = TestModels.resource("images/t10k-00009.png");
        given().contentType("image/png").body(png).post("/v1/predictions").then().statusCode(200).body("version", equalTo(2));
        given().contentType("image/png").body(png).queryParam("version", 1).post("/v1/predictions").then().statusCode(200)
                .body("version", equalTo(1));
        given().contentType("image/png").body(png).queryParam("version", 3).post("/v1/predictions").then().statusCode(404);
    }
}
