package org.supcon.common.index;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.Version;

/**
 * A model version's vector index, loaded and validated, with two searches over the same vectors:
 * Lucene's HNSW graph ({@link #search}, approximate, fast) and an exact brute-force scan
 * ({@link #exactSearch}, the reference that measures HNSW's recall).
 *
 * <p>The index file is read whole into memory ({@link ByteBuffersDirectory}): no memory mapping,
 * no file handles kept, nothing that needs reflection in a native image, and a version directory
 * deleted while it is served cannot take the index away. Thread-safe: searches may run
 * concurrently; {@link #close()} once none is running.
 */
public final class VectorIndex implements Closeable {

    /** The index file's name in a version directory. */
    public static final String FILE = "vector-index.zip";
    /** The only metric: cosine similarity of unit vectors (their dot product). */
    public static final String METRIC = "cosine";
    /** What builds the graph, recorded in the card. */
    public static final String ENGINE = "lucene-" + Version.LATEST + "-hnsw(m=" + VectorIndexWriter.MAX_CONN + ",beam="
            + VectorIndexWriter.BEAM_WIDTH + ")";

    static final String VECTOR = "vector";
    static final String ID = "id";
    static final String LABEL = "label";
    static final String SPLIT = "split";

    private static final Pattern LUCENE_FILE = Pattern.compile("[A-Za-z0-9_.]{1,64}");

    private final ByteBuffersDirectory directory;
    private final DirectoryReader reader;
    private final LeafReader leaf;
    private final int count;
    private final int dimension;
    private final float[] vectors;
    private final String[] ids;
    private final int[] labels;
    private final String[] splits;
    private final long sizeBytes;

    private VectorIndex(ByteBuffersDirectory directory, DirectoryReader reader, long sizeBytes) throws IOException {
        this.directory = directory;
        this.reader = reader;
        this.sizeBytes = sizeBytes;
        if (reader.leaves().size() != 1) {
            throw new InvalidIndexException("the index has " + reader.leaves().size() + " segments, expected one");
        }
        this.leaf = reader.leaves().get(0).reader();
        if (leaf.hasDeletions()) {
            throw new InvalidIndexException("the index has deleted documents");
        }
        FieldInfo field = leaf.getFieldInfos().fieldInfo(VECTOR);
        if (field == null || !field.hasVectorValues()) {
            throw new InvalidIndexException("the index has no '" + VECTOR + "' vector field");
        }
        this.count = leaf.maxDoc();
        this.dimension = field.getVectorDimension();
        this.vectors = new float[Math.multiplyExact(count, dimension)];
        this.ids = new String[count];
        this.labels = new int[count];
        this.splits = new String[count];
        FloatVectorValues values = leaf.getFloatVectorValues(VECTOR);
        int seen = 0;
        for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
            System.arraycopy(values.vectorValue(), 0, vectors, doc * dimension, dimension);
            seen++;
        }
        if (seen != count) {
            throw new InvalidIndexException(count + " documents but " + seen + " vectors");
        }
        StoredFields stored = leaf.storedFields();
        for (int doc = 0; doc < count; doc++) {
            Document d = stored.document(doc);
            ids[doc] = d.get(ID);
            labels[doc] = d.getField(LABEL).numericValue().intValue();
            splits[doc] = d.get(SPLIT) == null ? null : d.get(SPLIT).intern(); // a few distinct values
            if (ids[doc] == null || splits[doc] == null) {
                throw new InvalidIndexException("document " + doc + " lacks its id or split");
            }
        }
    }

    /**
     * Loads {@code file} and checks it against what the model card says: size, checksum, count,
     * dimension and metric, and that the dimension is the model's embedding size.
     *
     * @param embeddingDim the served model's embedding size
     * @throws InvalidIndexException naming what does not match
     */
    public static VectorIndex load(Path file, VectorIndexCard expected, int embeddingDim) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InvalidIndexException("cannot read index " + file + ": " + e, e);
        }
        if (size != expected.sizeBytes()) {
            throw new InvalidIndexException("index " + file.getFileName() + " has " + size + " bytes, the card says "
                    + expected.sizeBytes());
        }
        if (expected.dimension() != embeddingDim) {
            throw new InvalidIndexException("the card's index dimension " + expected.dimension()
                    + " is not the model's embedding size " + embeddingDim);
        }
        VectorIndex index = open(file, expected.sha256());
        try {
            if (index.count != expected.count()) {
                throw new InvalidIndexException("index " + file.getFileName() + " holds " + index.count
                        + " vectors, the card says " + expected.count());
            }
            if (index.dimension != expected.dimension()) {
                throw new InvalidIndexException("index " + file.getFileName() + " has dimension " + index.dimension
                        + ", the card says " + expected.dimension());
            }
            return index;
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** Opens an index file without a card to check it against (benchmarks, tools). */
    public static VectorIndex open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Streams the zip into memory once, hashing as it reads (no second copy of the file): the
     * checksum is compared before Lucene opens anything, and a damaged file whose checksum is
     * wrong is reported as such even when the damage breaks the zip first.
     */
    private static VectorIndex open(Path file, String expectedSha) throws IOException {
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        MessageDigest sha = VectorIndexWriter.sha256Digest();
        long size;
        try (InputStream raw = Files.newInputStream(file);
                DigestInputStream hashed = new DigestInputStream(new BufferedInputStream(raw, 1 << 16), sha)) {
            Set<String> names = new HashSet<>();
            IOException broken = null;
            try {
                ZipInputStream in = new ZipInputStream(hashed);
                ZipEntry entry;
                byte[] buffer = new byte[1 << 16];
                while ((entry = in.getNextEntry()) != null) {
                    String name = entry.getName();
                    if (!LUCENE_FILE.matcher(name).matches() || !names.add(name)) {
                        throw new InvalidIndexException("the index holds an unexpected entry '" + name + "'");
                    }
                    try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            out.writeBytes(buffer, 0, n);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                broken = e instanceof IOException io ? io : new IOException(e.toString(), e);
            }
            // the rest of the file (the zip's central directory, or what a broken entry left) counts too
            hashed.transferTo(OutputStream.nullOutputStream());
            String actual = HexFormat.of().formatHex(sha.digest());
            if (expectedSha != null && !actual.equals(expectedSha)) {
                throw new InvalidIndexException("index " + file.getFileName() + " has sha256 " + actual + ", the card says "
                        + expectedSha);
            }
            if (broken instanceof InvalidIndexException invalid) {
                throw invalid;
            }
            if (broken != null) {
                throw new InvalidIndexException("the index is unreadable: " + broken, broken);
            }
            if (names.isEmpty()) {
                throw new InvalidIndexException("the index file is not a zip of Lucene files");
            }
            size = Files.size(file);
        } catch (InvalidIndexException e) {
            dir.close();
            throw e;
        } catch (IOException e) {
            dir.close();
            throw new InvalidIndexException("cannot read index " + file + ": " + e, e);
        }
        try {
            DirectoryReader reader = DirectoryReader.open(dir);
            try {
                return new VectorIndex(dir, reader, size);
            } catch (IOException | RuntimeException e) {
                reader.close();
                throw e;
            }
        } catch (InvalidIndexException e) {
            dir.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            dir.close();
            // Lucene's CorruptIndexException and friends
            throw new InvalidIndexException("the index is unreadable: " + e, e);
        }
    }

    public int count() {
        return count;
    }

    public int dimension() {
        return dimension;
    }

    /** Size of the index file in bytes. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** The stored sample at {@code ordinal} (0..count-1, the order it was written in). */
    public IndexEntry entry(int ordinal) {
        return new IndexEntry(ids[ordinal], labels[ordinal], splits[ordinal]);
    }

    /** The unit vector at {@code ordinal} (a copy). */
    public float[] vector(int ordinal) {
        float[] v = new float[dimension];
        System.arraycopy(vectors, ordinal * dimension, v, 0, dimension);
        return v;
    }

    /**
     * The {@code k} nearest samples to {@code query} by HNSW, best first, those with cosine
     * {@code >= minScore} only.
     *
     * @param candidates the graph search's queue size (Lucene's k); at least {@code k}. More
     *     candidates, higher recall and slower
     */
    public List<Neighbour> search(float[] query, int k, float minScore, int candidates) {
        float[] q = checkQuery(query, k);
        try {
            TopDocs top = leaf.searchNearestVectors(VECTOR, q, Math.max(k, candidates), null, Integer.MAX_VALUE);
            List<Neighbour> out = new ArrayList<>(Math.min(k, top.scoreDocs.length));
            for (ScoreDoc sd : top.scoreDocs) {
                float cosine = 2 * sd.score - 1; // Lucene's dot-product score is (1 + cos) / 2
                if (out.size() == k || cosine < minScore) {
                    break;
                }
                out.add(neighbour(sd.doc, cosine));
            }
            return out;
        } catch (IOException e) {
            // an in-memory directory does not fail to read
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The exact {@code k} nearest samples (a scan of every vector), best first, cosine {@code >= minScore}. */
    public List<Neighbour> exactSearch(float[] query, int k, float minScore) {
        float[] q = checkQuery(query, k);
        int kk = Math.min(k, count);
        // a min-heap of the best kk so far: heap[0] is the worst kept
        int[] heapDoc = new int[kk];
        float[] heapScore = new float[kk];
        int size = 0;
        for (int doc = 0; doc < count; doc++) {
            float s = dot(q, doc);
            if (s < minScore) {
                continue;
            }
            if (size < kk) {
                heapDoc[size] = doc;
                heapScore[size] = s;
                siftUp(heapDoc, heapScore, size++);
            } else if (s > heapScore[0] || (s == heapScore[0] && doc < heapDoc[0])) {
                heapDoc[0] = doc;
                heapScore[0] = s;
                siftDown(heapDoc, heapScore, size);
            }
        }
        List<Neighbour> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(neighbour(heapDoc[i], heapScore[i]));
        }
        out.sort((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score()) : Integer.compare(a.ordinal(), b.ordinal()));
        return out;
    }

    /**
     * The {@code k} nearest other samples of the sample at {@code ordinal} (itself excluded), by
     * HNSW or exactly.
     */
    public List<Neighbour> neighboursOf(int ordinal, int k, boolean exact, int candidates) {
        float[] q = vector(ordinal);
        List<Neighbour> hits = exact ? exactSearch(q, k + 1, -1f) : search(q, k + 1, -1f, candidates + 1);
        List<Neighbour> out = new ArrayList<>(k);
        for (Neighbour n : hits) {
            if (n.ordinal() != ordinal && out.size() < k) {
                out.add(n);
            }
        }
        return out;
    }

    private float dot(float[] q, int doc) {
        int base = doc * dimension;
        float s = 0;
        for (int i = 0; i < dimension; i++) {
            s += q[i] * vectors[base + i];
        }
        return s;
    }

    private static boolean worse(float sa, int da, float sb, int db) {
        return sa < sb || (sa == sb && da > db);
    }

    private static void siftUp(int[] doc, float[] score, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(score[i], doc[i], score[parent], doc[parent])) {
                return;
            }
            swap(doc, score, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] doc, float[] score, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int m = i;
            if (l < size && worse(score[l], doc[l], score[m], doc[m])) {
                m = l;
            }
            if (r < size && worse(score[r], doc[r], score[m], doc[m])) {
                m = r;
            }
            if (m == i) {
                return;
            }
            swap(doc, score, i, m);
            i = m;
        }
    }

    private static void swap(int[] doc, float[] score, int a, int b) {
        int d = doc[a];
        doc[a] = doc[b];
        doc[b] = d;
        float s = score[a];
        score[a] = score[b];
        score[b] = s;
    }

    private Neighbour neighbour(int doc, float cosine) {
        return new Neighbour(doc, ids[doc], labels[doc], splits[doc], cosine);
    }

    /**
     * A query scaled to unit length.
     *
     * @throws IllegalArgumentException naming the problem: wrong size, a NaN or infinity, all zeros, k below 1
     */
    private float[] checkQuery(float[] query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (query == null || query.length != dimension) {
            throw new IllegalArgumentException("the query vector has " + (query == null ? 0 : query.length)
                    + " values; this index holds vectors of " + dimension);
        }
        for (int i = 0; i < query.length; i++) {
            if (!Float.isFinite(query[i])) {
                throw new IllegalArgumentException("the query vector's value " + i + " is " + query[i]
                        + "; every value must be a finite number");
            }
        }
        return VectorIndexWriter.unit(query, "the query");
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            directory.close();
        }
    }
}
