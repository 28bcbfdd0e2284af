package org.supcon.common.index;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

/**
 * Writes a version's vector index: one Lucene segment with an HNSW graph over the unit-norm
 * embeddings (dot product = cosine) and each sample's id, label and split as stored fields,
 * packed into one zip file ({@value VectorIndex#FILE}) so the version directory keeps plain files
 * and the card one checksum. The graph is built in memory ({@link ByteBuffersDirectory}); nothing
 * is memory-mapped.
 */
public final class VectorIndexWriter {

    /** HNSW: neighbours per node and the candidate list while building (Lucene's defaults). */
    public static final int MAX_CONN = 16;
    public static final int BEAM_WIDTH = 100;

    private VectorIndexWriter() {}

    /** What was written: the card to put in the model card, and how long the graph took. */
    public record Written(VectorIndexCard card, double buildSeconds) {}

    /**
     * Writes {@code entries.size()} vectors of {@code dimension} values, row-major in
     * {@code vectors}, to {@code file} (atomically: a temporary file renamed into place).
     * Each vector is scaled to unit length (the embedding is unit-norm by contract; this removes
     * float drift); a vector with a non-finite value or zero length is refused.
     */
    public static Written write(Path file, int dimension, List<IndexEntry> entries, float[] vectors) throws IOException {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive, got " + dimension);
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an index needs at least one vector");
        }
        if ((long) entries.size() * dimension != vectors.length) {
            throw new IllegalArgumentException(entries.size() + " entries of dimension " + dimension + " need "
                    + (long) entries.size() * dimension + " values, got " + vectors.length);
        }
        long t0 = System.nanoTime();
        byte[] zip;
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            IndexWriterConfig config = new IndexWriterConfig()
                    .setCodec(codec(dimension))
                    .setUseCompoundFile(false)
                    // one flush, one segment: no merge rebuilds the graph
                    .setRAMBufferSizeMB(Math.max(64, 4.0 * vectors.length * 3 / (1 << 20)))
                    .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
                    .setCommitOnClose(true);
            try (IndexWriter writer = new IndexWriter(dir, config)) {
                float[] row = new float[dimension];
                for (int i = 0; i < entries.size(); i++) {
                    IndexEntry e = entries.get(i);
                    System.arraycopy(vectors, i * dimension, row, 0, dimension);
                    Document doc = new Document();
                    doc.add(new KnnFloatVectorField(VectorIndex.VECTOR, unit(row, e.id()), VectorSimilarityFunction.DOT_PRODUCT));
                    doc.add(new StoredField(VectorIndex.ID, e.id()));
                    doc.add(new StoredField(VectorIndex.LABEL, e.label()));
                    doc.add(new StoredField(VectorIndex.SPLIT, e.split()));
                    writer.addDocument(doc);
                }
                writer.forceMerge(1);
            }
            zip = zip(dir);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, zip);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        VectorIndexCard card = new VectorIndexCard(VectorIndex.FILE, sha256(zip), zip.length, entries.size(), dimension,
                VectorIndex.METRIC, VectorIndex.ENGINE);
        return new Written(card, seconds);
    }

    /** A copy of {@code v} at unit length. */
    static float[] unit(float[] v, String what) {
        double sum = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("the vector of " + what + " has a non-finite value: " + x);
            }
            sum += (double) x * x;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("the vector of " + what + " is all zeros");
        }
        float scale = (float) (1 / Math.sqrt(sum));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }

    /**
     * Lucene's default codec, with the vector dimension limit (1,024 in Lucene 9) raised for
     * wider embeddings such as ResNet-50's 2,048. The files are the standard HNSW format under its
     * standard name, so any Lucene 9.12 reader opens them.
     */
    private static Codec codec(int dimension) {
        Codec base = Codec.getDefault();
        if (dimension <= base.knnVectorsFormat().getMaxDimensions(VectorIndex.VECTOR)) {
            return base;
        }
        KnnVectorsFormat wide = new WideHnsw();
        return new FilterCodec(base.getName(), base) {
            private final KnnVectorsFormat perField = new PerFieldKnnVectorsFormat() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return wide;
                }
            };

            @Override
            public KnnVectorsFormat knnVectorsFormat() {
                return perField;
            }
        };
    }

    /** The standard HNSW format (same name, same files) without the 1,024-dimension limit. */
    private static final class WideHnsw extends KnnVectorsFormat {
        private final Lucene99HnswVectorsFormat delegate = new Lucene99HnswVectorsFormat(MAX_CONN, BEAM_WIDTH);

        WideHnsw() {
            super("Lucene99HnswVectorsFormat");
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
            return delegate.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
            return delegate.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return 4096;
        }
    }

    /** Every file of the directory as a stored (uncompressed: float vectors do not compress) zip entry. */
    private static byte[] zip(ByteBuffersDirectory dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            String[] names = dir.listAll();
            Arrays.sort(names);
            for (String name : names) {
                byte[] content;
                try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
                    content = new byte[Math.toIntExact(in.length())];
                    in.readBytes(content, 0, content.length);
                }
                ZipEntry entry = new ZipEntry(name);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(content.length);
                entry.setCompressedSize(content.length);
                CRC32 crc = new CRC32();
                crc.update(content);
                entry.setCrc(crc.getValue());
                entry.setTime(0); // no clock in the file
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
