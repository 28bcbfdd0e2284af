package org.supcon.trainer.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.supcon.testing.auth.Tokens;

/**
 * The admin API needs a bearer token with the role trainer-admin (tokens from the users' issuer behind
 * dev/token): none or a bad one -> 401, another role -> 403, each with a JSON error and nothing
 * done; health and metrics answer on the management port without a token, and not on the API port.
 */
@QuarkusTest
class AdminAuthTest {

    @TestHTTPResource(value = "", management = true)
    String management;

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void noTokenIs401WithAJsonErrorOnEveryAdminPath() {
        for (String path : new String[] {"/dataset", "/dataset/label-issues", "/training-runs", "/training-runs/x/report", "/training-runs/x/events"}) {
            given().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", startsWith("Bearer"))
                    .contentType("application/json")
                    .body("error", containsString("Authorization: Bearer"));
        }
        given().contentType("application/json").body("{}").post("/training-runs").then().statusCode(401);
        given().delete("/training-runs/x").then().statusCode(401);
    }

    @Test
    void tokensThatDoNotVerifyAre401() {
        bearer(Tokens.expired("trainer-admin")).get("/dataset").then().statusCode(401)
                .body("error", containsString("refused"));
        bearer(Tokens.foreign("trainer-admin")).get("/dataset").then().statusCode(401)
                .body("error", containsString("refused"));
        bearer("not.a.jwt").get("/dataset").then().statusCode(401);
    }

    @Test
    void aTokenWithoutTheRoleIs403AndStartsNothing() {
        String admin = Tokens.withRoles("trainer-admin");
        int before = bearer(admin).get("/training-runs").then().statusCode(200).extract().jsonPath().getList("$").size();

        for (String roles : new String[] {"inference-user", ""}) {
            bearer(Tokens.withRoles(roles)).contentType("application/json").body("{\"epochs\": 1}").post("/training-runs")
                    .then().statusCode(403).contentType("application/json")
                    .body("error", containsString("trainer-admin"));
            bearer(Tokens.withRoles(roles)).get("/dataset").then().statusCode(403);
        }
        bearer(admin).get("/training-runs").then().statusCode(200).body("size()", equalTo(before));
        bearer(admin).get("/dataset").then().statusCode(200);
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortOnly() {
        given().get(management + "health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get(management + "metrics").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(401);
        bearer(Tokens.withRoles("trainer-admin")).get("/q/health/live").then().statusCode(404);
    }
}
