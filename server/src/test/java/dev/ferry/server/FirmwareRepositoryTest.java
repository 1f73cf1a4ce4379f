package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class FirmwareRepositoryTest {
    static final String MODEL = "thermo-2";
    final ImageSigningKey trusted = Images.newKey();
    TestServer server;

    @BeforeEach
    void startServerTrustingOneKey() {
        // The manifest and /fw over HTTP are served without download tokens only with public HTTP downloads.
        server = TestServer.givenServer().with(dev.ferry.server.config.Setting.DISTRIBUTION_PUBLIC_HTTP, "true")
                .start();
        TestServer.Reply key = server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(trusted)).encode());
        assertThat(key.status()).as(key.body()).isEqualTo(201);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_signed_image_is_stored_under_its_sha256_and_described() throws IOException {
        byte[] image = Images.signed("1.2.3+4", 5000, trusted, 7L);

        TestServer.Reply reply = server.uploadFirmware(MODEL, image);

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonObject firmware = reply.json();
        String sha256 = BlobStore.sha256Hex(image);
        assertThat(firmware.getString("model")).isEqualTo(MODEL);
        assertThat(firmware.getString("version")).isEqualTo("1.2.3+4");
        assertThat(firmware.getLong("size")).isEqualTo(image.length);
        assertThat(firmware.getString("sha256")).isEqualTo(sha256);
        assertThat(firmware.getLong("securityCounter")).isEqualTo(7L);
        assertThat(firmware.getBoolean("published")).isFalse();
        assertThat(firmware.getString("signingKeyId")).isEqualTo(java.util.HexFormat.of()
                .formatHex(trusted.publicKey().keyHash()));
        assertThat(Files.readAllBytes(blob(sha256))).isEqualTo(image);
        assertThat(server.get("/api/v1/firmware/" + firmware.getLong("id")).json()).isEqualTo(firmware);
    }

    @Test
    void an_image_uploaded_as_multipart_form_data_carries_its_model_and_notes() {
        byte[] image = Images.signed("2.0.0", 3000, trusted);
        String boundary = "ferry-boundary-1";
        byte[] body = multipart(boundary, image);

        TestServer.Reply reply = server.sendBytes("POST", "/api/v1/firmware", body,
                "multipart/form-data; boundary=" + boundary);

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().getString("model")).isEqualTo(MODEL);
        assertThat(reply.json().getString("notes")).isEqualTo("Fixes the sensor drift");
        assertThat(reply.json().getString("version")).isEqualTo("2.0.0+0");
    }

    @Test
    void publishing_makes_the_image_the_newest_entry_of_the_manifest() {
        long v1 = upload(Images.signed("1.0.0", 2000, trusted));
        long v2 = upload(Images.signed("1.1.0", 2000, trusted));
        publish(v1);

        assertThat(server.get("/api/v1/firmware?published=true").json().getJsonArray("items")).hasSize(1);
        JsonArray manifest = new JsonArray(server.get("/ota/manifest.json?model=" + MODEL).body());
        assertThat(manifest).hasSize(1);
        assertThat(manifest.getJsonObject(0).getString("version")).isEqualTo("1.0.0+0");

        publish(v2);
        JsonObject newest = new JsonArray(server.get("/ota/manifest.json").body()).getJsonObject(0);
        assertThat(newest.getString("version")).isEqualTo("1.1.0+0");
        assertThat(newest.getString("url")).isEqualTo(server.baseUrl() + "/fw/" + newest.getString("sha256"));
        assertThat(new JsonArray(server.get("/ota/manifest.json?current=1.1.0").body())).isEmpty();
        assertThat(new JsonArray(server.get("/ota/manifest.json?current=1.0.5").body())).hasSize(1);
    }

    @Test
    void garbage_is_refused_as_malformed_with_the_exact_defect() {
        assertRejected(server.uploadFirmware(MODEL, "definitely not an image, but long enough to have a header".getBytes()), "malformed-image",
                "magic");
    }

    @Test
    void an_unsigned_image_is_refused() {
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.0.0", 1000, null)), "unsigned", "signature");
    }

    @Test
    void an_image_signed_by_an_untrusted_key_is_refused() {
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.0.0", 1000, Images.newKey())), "unknown-key",
                "key");
    }

    @Test
    void an_image_changed_after_signing_is_refused_as_tampered() {
        byte[] image = Images.signed("1.0.0", 1000, trusted);
        image[0x200 + 10] ^= 0x01;
        assertRejected(server.uploadFirmware(MODEL, image), "tampered", "hash");
    }

    @Test
    void a_second_image_with_the_same_version_for_the_model_is_refused() {
        upload(Images.signed("1.0.0", 1000, trusted));
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.0.0", 1200, trusted)), "duplicate-version",
                "1.0.0+0");
        assertThat(server.uploadFirmware("other-model", Images.signed("1.0.0", 1200, trusted)).status())
                .isEqualTo(201);
    }

    @Test
    void a_security_counter_below_the_newest_published_one_is_refused() {
        publish(upload(Images.signed("2.0.0", 1000, trusted, 5L)));
        assertRejected(server.uploadFirmware(MODEL, Images.signed("2.1.0", 1000, trusted, 4L)),
                "security-counter-rollback", "security counter 4 is lower than 5");
        assertThat(server.uploadFirmware(MODEL, Images.signed("2.1.1", 1000, trusted, 5L)).status()).isEqualTo(201);
    }

    @Test
    void an_image_larger_than_the_models_slot_is_refused() {
        assertThat(server.put("/api/v1/models/" + MODEL, "{\"slotSize\": 4096}").status()).isEqualTo(200);
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.0.0", 5000, trusted)), "too-large-for-slot",
                "4096-byte slot");
        assertThat(server.uploadFirmware(MODEL, Images.signed("1.0.1", 3000, trusted)).status()).isEqualTo(201);
    }

    @Test
    void a_refused_image_leaves_nothing_behind() throws IOException {
        upload(Images.signed("1.0.0", 1000, trusted));
        byte[] duplicate = Images.signed("1.0.0", 1500, trusted);

        server.uploadFirmware(MODEL, duplicate);

        assertThat(Files.exists(blob(BlobStore.sha256Hex(duplicate)))).isFalse();
        assertThat(server.get("/api/v1/firmware").json().getInteger("total")).isEqualTo(1);
        try (Stream<Path> temporary = Files.list(server.dataDir().resolve("firmware/blobs/tmp"))) {
            assertThat(temporary).isEmpty();
        }
    }

    @Test
    void refused_and_deleted_images_leave_no_blob_directory_behind() throws IOException {
        byte[] kept = Images.signed("1.0.0", 1000, trusted);
        upload(kept);
        assertThat(server.put("/api/v1/models/" + MODEL, "{\"slotSize\": 4096}").status()).isEqualTo(200);
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.0.0", 1500, trusted)), "duplicate-version",
                "1.0.0");
        assertRejected(server.uploadFirmware(MODEL, Images.signed("1.1.0", 5000, trusted)), "too-large-for-slot",
                "slot");
        String boundary = "ferry-boundary-2";
        assertRejected(server.sendBytes("POST", "/api/v1/firmware", multipart(boundary,
                Images.signed("1.0.0", 2000, trusted)), "multipart/form-data; boundary=" + boundary),
                "duplicate-version", "1.0.0");
        long deleted = upload(Images.signed("1.2.0", 1000, trusted));
        assertThat(server.delete("/api/v1/firmware/" + deleted).status()).isEqualTo(204);

        try (Stream<Path> directories = Files.list(server.dataDir().resolve("firmware/blobs"))) {
            assertThat(directories.map(d -> d.getFileName().toString()))
                    .containsExactlyInAnyOrder("tmp", BlobStore.sha256Hex(kept).substring(0, 2));
        }
        try (Stream<Path> uploads = Files.list(server.dataDir().resolve("firmware/uploads"))) {
            assertThat(uploads).isEmpty();
        }
    }

    @Test
    void one_image_uploaded_for_two_models_at_once_keeps_its_blob_when_one_upload_is_refused() throws Exception {
        assertThat(server.put("/api/v1/models/tiny", "{\"slotSize\": 1024}").status()).isEqualTo(200);
        ExecutorService uploads = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 20; i++) {
                byte[] image = Images.signed("3.0." + i, 4000, trusted);
                Future<TestServer.Reply> refused = uploads.submit(() -> server.uploadFirmware("tiny", image));
                Future<TestServer.Reply> accepted = uploads.submit(() -> server.uploadFirmware(MODEL, image));
                assertThat(refused.get(30, TimeUnit.SECONDS).status()).isEqualTo(422);
                assertThat(accepted.get(30, TimeUnit.SECONDS).status()).isEqualTo(201);
                assertThat(blob(BlobStore.sha256Hex(image))).as("blob of the accepted upload " + i).isRegularFile();
            }
        } finally {
            uploads.shutdownNow();
        }
    }

    @Test
    void deleting_an_image_removes_its_blob_and_its_download() {
        byte[] image = Images.signed("1.0.0", 1000, trusted);
        long id = upload(image);
        publish(id);
        String sha256 = BlobStore.sha256Hex(image);
        assertThat(server.download("/fw/" + sha256).statusCode()).isEqualTo(200);

        assertThat(server.delete("/api/v1/firmware/" + id).status()).isEqualTo(204);

        assertThat(Files.exists(blob(sha256))).isFalse();
        assertThat(server.download("/fw/" + sha256).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/firmware/" + id).status()).isEqualTo(404);
    }

    @Test
    void signing_keys_are_public_only_and_cannot_be_removed_while_images_use_them() {
        String privatePem = dev.ferry.image.keys.KeyPem.privateKeyPem(Images.newKey());
        TestServer.Reply refused = server.post("/api/v1/signing-keys",
                new JsonObject().put("name", "oops").put("publicKey", privatePem).encode());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().getString("detail")).contains("private key");

        upload(Images.signed("1.0.0", 1000, trusted));
        String keyId = server.get("/api/v1/signing-keys").json().getJsonArray("items").getJsonObject(0)
                .getString("id");
        TestServer.Reply inUse = server.delete("/api/v1/signing-keys/" + keyId);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().getString("detail")).contains("signed with key");
    }

    @Test
    void an_image_over_the_size_limit_is_refused_before_it_is_read() {
        server.close();
        server = TestServer.givenServer().with(dev.ferry.server.config.Setting.FIRMWARE_MAX_IMAGE_BYTES, "4096")
                .start();
        TestServer.Reply reply = server.uploadFirmware(MODEL, new byte[8192]);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.isProblem()).isTrue();
    }

    private long upload(byte[] image) {
        TestServer.Reply reply = server.uploadFirmware(MODEL, image);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().getLong("id");
    }

    private void publish(long id) {
        TestServer.Reply reply = server.post("/api/v1/firmware/" + id + "/publish", null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().getBoolean("published")).isTrue();
    }

    private Path blob(String sha256) {
        return server.dataDir().resolve("firmware/blobs").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static void assertRejected(TestServer.Reply reply, String reason, String detailFragment) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("reason")).isEqualTo(reason);
        assertThat(reply.json().getString("detail")).containsIgnoringCase(detailFragment);
    }

    private static byte[] multipart(String boundary, byte[] image) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String fields = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + MODEL + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"notes\"\r\n\r\nFixes the sensor drift\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"app.signed.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        out.writeBytes(fields.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
