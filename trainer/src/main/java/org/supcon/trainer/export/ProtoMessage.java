package org.supcon.trainer.export;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf message assembled field by field, for writing ONNX without generated classes.
 *
 * <p>Byte arrays are referenced, not copied, and sizes are computed before anything is written,
 * so a model is serialised straight into one array of its exact size.
 */
final class ProtoMessage {

    private interface Field {
        long size();

        void writeTo(CodedOutputStream out) throws IOException;
    }

    private final List<Field> fields = new ArrayList<>();
    private long size = -1;

    ProtoMessage int64(int number, long value) {
        return add(new Field() {
            @Override
            public long size() {
                return CodedOutputStream.computeInt64Size(number, value);
            }

            @Override
            public void writeTo(CodedOutputStream out) throws IOException {
                out.writeInt64(number, value);
            }
        });
    }

    ProtoMessage float32(int number, float value) {
        return add(new Field() {
            @Override
            public long size() {
                return CodedOutputStream.computeFloatSize(number, value);
            }

            @Override
            public void writeTo(CodedOutputStream out) throws IOException {
                out.writeFloat(number, value);
            }
        });
    }

    /** A UTF-8 string field; null writes nothing (the field stays unset). */
    ProtoMessage string(int number, String value) {
        if (value == null) {
            return this;
        }
        return add(new Field() {
            @Override
            public long size() {
                return CodedOutputStream.computeStringSize(number, value);
            }

            @Override
            public void writeTo(CodedOutputStream out) throws IOException {
                out.writeString(number, value);
            }
        });
    }

    ProtoMessage bytes(int number, byte[] value) {
        return add(new Field() {
            @Override
            public long size() {
                return CodedOutputStream.computeTagSize(number)
                        + CodedOutputStream.computeUInt32SizeNoTag(value.length)
                        + (long) value.length;
            }

            @Override
            public void writeTo(CodedOutputStream out) throws IOException {
                out.writeByteArray(number, value);
            }
        });
    }

    ProtoMessage message(int number, ProtoMessage value) {
        return add(new Field() {
            @Override
            public long size() {
                long inner = value.size();
                return CodedOutputStream.computeTagSize(number)
                        + CodedOutputStream.computeUInt32SizeNoTag(toIntSize(inner))
                        + inner;
            }

            @Override
            public void writeTo(CodedOutputStream out) throws IOException {
                out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(toIntSize(value.size()));
                value.writeFields(out);
            }
        });
    }

    private ProtoMessage add(Field field) {
        fields.add(field);
        size = -1;
        return this;
    }

    /** The encoded size in bytes, computed once. */
    long size() {
        if (size < 0) {
            long total = 0;
            for (Field f : fields) {
                total += f.size();
            }
            size = total;
        }
        return size;
    }

    private void writeFields(CodedOutputStream out) throws IOException {
        for (Field f : fields) {
            f.writeTo(out);
        }
    }

    /** Encodes the message; protobuf caps a message at 2 GiB. */
    byte[] toByteArray() {
        byte[] buffer = new byte[toIntSize(size())];
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        try {
            writeFields(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a protobuf message into an array", e);
        }
        out.checkNoSpaceLeft();
        return buffer;
    }

    private static int toIntSize(long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException(
                    "protobuf message of " + size + " bytes exceeds the 2 GiB limit");
        }
        return (int) size;
    }
}
