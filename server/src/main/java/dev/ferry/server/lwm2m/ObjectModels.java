package dev.ferry.server.lwm2m;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.eclipse.leshan.core.model.InvalidDDFFileException;
import org.eclipse.leshan.core.model.InvalidModelException;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.server.model.LwM2mModelProvider;
import org.eclipse.leshan.server.model.VersionedModelProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object models the server encodes and decodes device values with: LwM2M's core objects (0-7, 21, every
 * version Leshan ships: a device that lists {@code </3/0>} without {@code ver} declares 1.0), the IPSO smart objects ({@link IpsoObjects}), and OMA DDF files in the data directory's
 * {@code models} folder, which is also where {@link #add} keeps the ones operators upload. A device's values are
 * read with the model of the object version it declared at registration; without one they stay opaque.
 * Leshan asks {@link #getObjectModel} at every request and notification, so an added model applies at once.
 */
public final class ObjectModels implements LwM2mModelProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectModels.class);

    /** Where a model comes from. */
    public enum Origin {
        /** LwM2M's core objects; these cannot be replaced. */
        CORE,
        /** The IPSO smart objects the server ships; a file may replace one. */
        IPSO,
        /** A DDF file in the models folder, uploaded or placed there. */
        FILE
    }

    /** One known object model and where it comes from ({@code file}: its name in the models folder, or null). */
    public record Known(ObjectModel model, Origin origin, String file) {
    }

    /** An upload's outcome: the model now in use, and whether it replaced one of the same id and version. */
    public record Added(Known known, boolean replaced) {
    }

    /** A DDF document the server will not take, and why; {@code conflict}: it would replace a core object. */
    public static final class Refused extends Exception {
        private final boolean conflict;

        Refused(String message, boolean conflict) {
            super(message);
            this.conflict = conflict;
        }

        public boolean conflict() {
            return conflict;
        }
    }

    private final Path directory;
    /** By "id/version"; guarded by this. */
    private final Map<String, Known> known = new TreeMap<>();
    private volatile LwM2mModelProvider provider;

    private ObjectModels(Path directory) {
        this.directory = directory;
    }

    /** The built-in models, then every {@code *.xml} in {@code <dataDir>/models}; a bad file is logged and skipped. */
    public static ObjectModels load(Path dataDir) {
        ObjectModels models = new ObjectModels(dataDir.resolve("models"));
        ObjectLoader.loadAllDefault().forEach(model -> models.known.put(key(model), new Known(model, Origin.CORE, null)));
        IpsoObjects.load().forEach(model -> models.known.put(key(model), new Known(model, Origin.IPSO, null)));
        models.loadDirectory();
        models.publish();
        return models;
    }

    @Override
    public LwM2mModel getObjectModel(Registration registration) {
        return provider.getObjectModel(registration);
    }

    /** Every known model, by object id then version. */
    public synchronized List<Known> list() {
        List<Known> all = new ArrayList<>(known.values());
        all.sort(Comparator.comparing((Known k) -> k.model().id).thenComparing(k -> k.model().version));
        return all;
    }

    /** Every known version of one object, oldest first. */
    public List<Known> versions(int objectId) {
        return list().stream().filter(k -> k.model().id == objectId).toList();
    }

    /**
     * Validates one OMA DDF document (schema and model, with Leshan's parser, which refuses DOCTYPE declarations
     * and so external entities), stores it durably in the models folder, and uses it from now on.
     *
     * @throws Refused when the document is not valid DDF, holds other than one object, or would replace a core one
     */
    public synchronized Added add(byte[] document) throws Refused, IOException {
        ObjectModel model = parseOne(document);
        Known previous = known.get(key(model));
        if (previous != null && previous.origin() == Origin.CORE) {
            throw new Refused("object " + model.id + " version " + model.version + " (" + previous.model().name
                    + ") is one of LwM2M's core objects, which the server relies on; it cannot be replaced", true);
        }
        String file = fileName(model);
        writeDurably(document, file);
        Known added = new Known(model, Origin.FILE, file);
        known.put(key(model), added);
        publish();
        LOG.info("object model {} version {} ({}) {} from {}", model.id, model.version, model.name,
                previous == null ? "added" : "replaced", directory.resolve(file));
        return new Added(added, previous != null);
    }

    private ObjectModel parseOne(byte[] document) throws Refused {
        List<ObjectModel> parsed;
        try (InputStream in = new ByteArrayInputStream(document)) {
            parsed = ObjectLoader.loadDdfFile(in, "uploaded document", true);
        } catch (InvalidDDFFileException | InvalidModelException e) {
            throw new Refused("not a valid OMA DDF object definition: " + reason(e), false);
        } catch (IOException e) {
            throw new Refused("not a readable OMA DDF document: " + reason(e), false);
        }
        if (parsed.size() != 1) {
            throw new Refused("the document defines " + parsed.size() + " objects; send one object per request,"
                    + " as the OMA registry's files are", false);
        }
        return parsed.get(0);
    }

    /** The parser's own reason, which names the element or line at fault, without the exception's class names. */
    private static String reason(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = Optional.ofNullable(cause.getMessage()).orElse(e.getMessage());
        return message == null ? "unreadable" : message.replaceAll("\\s+", " ").trim();
    }

    private void loadDirectory() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.xml")) {
            for (Path path : files) {
                loadFile(path);
            }
        } catch (IOException e) {
            LOG.error("cannot list the object models in {}: {}", directory, e.toString());
        }
    }

    private void loadFile(Path path) {
        List<ObjectModel> models;
        try (InputStream in = Files.newInputStream(path)) {
            models = ObjectLoader.loadDdfFile(in, path.getFileName().toString(), true);
        } catch (InvalidDDFFileException | InvalidModelException | IOException e) {
            LOG.error("object models in {} skipped: {}", path, reason(e));
            return;
        }
        for (ObjectModel model : models) {
            Known previous = known.get(key(model));
            if (previous != null && previous.origin() == Origin.CORE) {
                LOG.error("object {} version {} in {} skipped: it is a core object, which cannot be replaced",
                        model.id, model.version, path);
                continue;
            }
            known.put(key(model), new Known(model, Origin.FILE, path.getFileName().toString()));
        }
    }

    /** Write to a temporary file, flush it to disk, then rename: a crash leaves the old file or the new, whole. */
    private void writeDurably(byte[] document, String file) throws IOException {
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, ".upload-", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(document));
                channel.force(true);
            }
            Files.move(temporary, directory.resolve(file), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel folder = FileChannel.open(directory, StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    private void publish() {
        provider = new VersionedModelProvider(known.values().stream().map(Known::model).toList());
    }

    private static String fileName(ObjectModel model) {
        return model.id + "-" + model.version.replace('.', '_') + ".xml";
    }

    private static String key(ObjectModel model) {
        return model.id + "/" + model.version;
    }
}
