package org.supcon.inference.rest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.io.IOException;
import java.nio.file.Files;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.supcon.inference.service.ImageInferenceService.EncodedImage;

/** Turns the three request forms (multipart, raw body, JSON base64) into encoded images. */
final class RequestImages {

    private RequestImages() {
    }

    static List<EncodedImage> fromMultipart(List<FileUpload> uploads) {
        if (uploads == null || uploads.isEmpty()) {
            throw new IllegalArgumentException("no image: send one or more multipart parts named 'image'");
        }
        List<EncodedImage> images = new ArrayList<>(uploads.size());
        for (int i = 0; i < uploads.size(); i++) {
            FileUpload u = uploads.get(i);
            String name = "image " + i + (u.fileName() == null || u.fileName().isBlank() ? "" : " (" + u.fileName() + ")");
            try {
                images.add(new EncodedImage(name, Files.readAllBytes(u.uploadedFile())));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the upload of " + name + ": " + e.getMessage(), e);
            }
        }
        return images;
    }

    static List<EncodedImage> fromBody(byte[] body) {
        return List.of(new EncodedImage("the request body", body));
    }

    static List<EncodedImage> fromJson(ApiDtos.ImagesRequest request) {
        if (request == null || request.images() == null || request.images().isEmpty()) {
            throw new IllegalArgumentException("no image: send {\"images\": [\"<base64 PNG or JPEG>\", ...]}");
        }
        List<EncodedImage> images = new ArrayList<>(request.images().size());
        for (int i = 0; i < request.images().size(); i++) {
            images.add(fromBase64("images[" + i + "]", request.images().get(i)));
        }
        return images;
    }

    /** A base64 PNG/JPEG, plain or as a data URL; {@code name} is the JSON field for messages. */
    static EncodedImage fromBase64(String name, String text) {
        if (text == null) {
            throw new IllegalArgumentException(name + " is null, expected a base64 PNG or JPEG");
        }
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1; // a data URL: data:image/png;base64,....
        try {
            String b64 = text.substring(comma + 1).replaceAll("\\s", ""); // line breaks of wrapped base64 are fine
            return new EncodedImage(name, Base64.getDecoder().decode(b64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not valid base64: " + e.getMessage(), e);
        }
    }
}
