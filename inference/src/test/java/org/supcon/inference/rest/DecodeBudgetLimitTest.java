package org.supcon.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.Fixtures;
import org.supcon.inference.testing.ModelRepositoryResource;

/**
 * inference.limits.decode-memory-mb bounds what decoding may hold: with 1 MB, a 300x300 image
 * (2.2 MB worst case) is refused with 413 naming the setting, and the service goes on serving.
 */
@QuarkusTest
@TestProfile(DecodeBudgetLimitTest.SmallBudget.class)
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
class DecodeBudgetLimitTest {

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.limits.decode-memory-mb", "1");
        }
    }

    @Test
    void anImageOverTheDecodeBudgetIs413AndTheServiceGoesOn() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY), "png", png);
        given().contentType("image/png").body(png.toByteArray()).post("/v1/predictions").then().statusCode(413)
                .body("error", containsString("inference.limits.decode-memory-mb"));
        given().contentType("image/png").body(Fixtures.bytes("t10k-00000.png")).post("/v1/predictions").then().statusCode(200);
    }
}
