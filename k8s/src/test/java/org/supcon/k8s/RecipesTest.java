package org.supcon.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment and the image recipes agree: an overlay may name only images the repository
 * knows how to build (a Dockerfile saying which image it builds) and the README says how
 * (a {@code docker build} line with that Dockerfile and the overlay's exact tag), so an operator
 * following the README gets every image {@code kubectl apply -k} will pull.
 */
class RecipesTest {

    /** A recipe's header line: {@code # image: supcon/inference:<version>-native-cuda}. */
    static final Pattern IMAGE_LINE = Pattern.compile("^#\\s*image:\\s*(\\S+):<version>(\\S*)\\s*$");
    /** An overlay's tag: a release version, then the recipe's suffix. */
    static final Pattern TAG = Pattern.compile("^(\\d+\\.\\d+\\.\\d+)(.*)$");
    static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules");

    /** A Dockerfile and the image it says it builds: {@code repository:<version>suffix}. */
    record Recipe(Path dockerfile, String repository, String suffix) {
        String describe() {
            return root().relativize(dockerfile) + " (" + repository + ":<version>" + suffix + ")";
        }
    }

    /** An entry of an overlay's {@code images:} section. */
    record OverlayImage(String name, String newName, String newTag) {
        String reference() {
            return newName + ":" + newTag;
        }
    }

    static Path root() {
        return Rendered.k8sDir().toAbsolutePath().getParent();
    }

    static List<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(Rendered.k8sDir().resolve("overlays"))) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertFalse(names.isEmpty(), "no overlays under " + Rendered.k8sDir().resolve("overlays"));
            return names;
        }
    }

    static List<OverlayImage> images(String overlay) throws IOException {
        Path file = Rendered.k8sDir().resolve("overlays").resolve(overlay).resolve("kustomization.yaml");
        JsonNode images = Rendered.YAML.readTree(file.toFile()).path("images");
        assertTrue(images.isArray() && !images.isEmpty(), file + ": no images: section");
        List<OverlayImage> result = new ArrayList<>();
        for (JsonNode i : images) {
            OverlayImage image = new OverlayImage(i.path("name").asText(), i.path("newName").asText(), i.path("newTag").asText());
            assertFalse(image.newName().isEmpty() || image.newTag().isEmpty(),
                    file + ": image " + image.name() + " needs newName and newTag, has " + i);
            result.add(image);
        }
        return result;
    }

    /** Every Dockerfile in the repository (outside build output and hidden directories) with an {@code # image:} line. */
    static List<Recipe> recipes() throws IOException {
        List<Path> dockerfiles = new ArrayList<>();
        Files.walkFileTree(root(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName().toString();
                return !dir.equals(root()) && (name.startsWith(".") || SKIPPED_DIRS.contains(name))
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().startsWith("Dockerfile")) {
                    dockerfiles.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        List<Recipe> recipes = new ArrayList<>();
        for (Path f : dockerfiles.stream().sorted().toList()) {
            for (String line : Files.readAllLines(f)) {
                Matcher m = IMAGE_LINE.matcher(line);
                if (m.matches()) {
                    recipes.add(new Recipe(f, m.group(1), m.group(2)));
                }
            }
        }
        return recipes;
    }

    /** The {@code docker build} lines of the README: the Dockerfile ({@code -f}) and tag ({@code -t}) of each. */
    static List<List<String>> buildLines() throws IOException {
        List<List<String>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(root().resolve("README.md"))) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("docker") || !words[1].equals("build")) {
                continue;
            }
            String file = null;
            String tag = null;
            for (int i = 2; i + 1 < words.length; i++) {
                if (words[i].equals("-f") || words[i].equals("--file")) {
                    file = words[i + 1];
                } else if (words[i].equals("-t") || words[i].equals("--tag")) {
                    tag = words[i + 1];
                }
            }
            lines.add(Arrays.asList(file, tag));
        }
        return lines;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyImageAnOverlayNamesHasARecipeAndABuildLine(String overlay) throws Exception {
        List<Recipe> recipes = recipes();
        List<List<String>> builds = buildLines();
        for (OverlayImage image : images(overlay)) {
            String where = "overlay " + overlay + ", image " + image.reference();
            Matcher tag = TAG.matcher(image.newTag());
            assertTrue(tag.matches(), where + ": the tag is not <version><suffix> (e.g. 0.1.0-native-cuda): " + image.newTag());
            String suffix = tag.group(2);
            List<Recipe> candidates = recipes.stream()
                    .filter(r -> image.newName().equals(r.repository()) || image.newName().endsWith("/" + r.repository()))
                    .toList();
            List<Recipe> matching = candidates.stream().filter(r -> r.suffix().equals(suffix)).toList();
            assertEquals(1, matching.size(), where + ": expected one recipe (a Dockerfile with '# image: "
                    + "<repository>:<version>" + suffix + "') for tag suffix '" + suffix + "'; recipes for this repository: "
                    + candidates.stream().map(Recipe::describe).toList() + "; all: " + recipes.stream().map(Recipe::describe).toList());
            String dockerfile = root().relativize(matching.get(0).dockerfile()).toString();
            assertTrue(builds.contains(Arrays.asList(dockerfile, image.reference())),
                    where + ": README.md has no 'docker build -f " + dockerfile + " -t " + image.reference()
                            + " ...' line; its docker build lines (-f, -t): " + builds);
        }
    }

    /** The images section is what the pods run: every container image is one the recipes were checked for. */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerRunsAnImageOfTheImagesSection(String overlay) throws Exception {
        Set<String> named = images(overlay).stream().map(OverlayImage::reference).collect(Collectors.toSet());
        Rendered r = Rendered.overlay(overlay);
        List<Deployment> deployments = r.all(Deployment.class);
        assertFalse(deployments.isEmpty(), overlay + ": no Deployments");
        for (Deployment d : deployments) {
            List<Container> containers = new ArrayList<>(d.getSpec().getTemplate().getSpec().getContainers());
            if (d.getSpec().getTemplate().getSpec().getInitContainers() != null) {
                containers.addAll(d.getSpec().getTemplate().getSpec().getInitContainers());
            }
            for (Container c : containers) {
                assertTrue(named.contains(c.getImage()), overlay + ": Deployment " + d.getMetadata().getName() + " container "
                        + c.getName() + " runs " + c.getImage() + ", not one of the overlay's images " + named);
            }
        }
    }
}
