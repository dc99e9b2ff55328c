package dev.ttsqueue.inference.f5.testmodel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes ONNX {@code ModelProto} bytes directly in the protobuf wire format, so the test models
 * need no Python or protobuf library. Only the fields the generator uses are covered; field
 * numbers follow {@code onnx.proto}. Output is a pure function of the calls made (no timestamps),
 * which is what lets a test compare regenerated files byte for byte.
 */
public final class OnnxGraphWriter {
    /** {@code TensorProto.DataType} values. */
    public static final int FLOAT = 1;
    public static final int INT16 = 5;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;

    private static final int IR_VERSION = 8;
    private static final int OPSET = 17;

    private final String graphName;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private int nodeCounter;

    public OnnxGraphWriter(String graphName) {
        this.graphName = graphName;
    }

    /**
     * A graph input or output dimension: a fixed size ({@link Long}) or a symbolic name ({@link String}).
     */
    public void input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
    }

    public void output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
    }

    /** Adds a node; attributes come from {@link #intAttr}, {@link #intsAttr}, {@link #floatTensorAttr}. */
    public void node(String opType, String[] in, String[] out, byte[]... attributes) {
        Proto p = new Proto();
        for (String s : in) {
            p.string(1, s);
        }
        for (String s : out) {
            p.string(2, s);
        }
        p.string(3, opType.toLowerCase(java.util.Locale.ROOT) + "_" + (nodeCounter++));
        p.string(4, opType);
        for (byte[] a : attributes) {
            p.message(5, a);
        }
        nodes.add(p.bytes());
    }

    public void constFloats(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        initializers.add(tensor(name, FLOAT, dims, b.array()));
    }

    public void constLongs(String name, long[] dims, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        initializers.add(tensor(name, INT64, dims, b.array()));
    }

    public void constInts(String name, long[] dims, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        initializers.add(tensor(name, INT32, dims, b.array()));
    }

    public static byte[] intAttr(String name, long value) {
        Proto p = new Proto();
        p.string(1, name);
        p.varintField(3, value);
        p.varintField(20, 2);
        return p.bytes();
    }

    public static byte[] intsAttr(String name, long... values) {
        Proto p = new Proto();
        p.string(1, name);
        for (long v : values) {
            p.varintField(8, v);
        }
        p.varintField(20, 7);
        return p.bytes();
    }

    /** A one-element float tensor attribute (what {@code ConstantOfShape} takes as {@code value}). */
    public static byte[] floatTensorAttr(String name, float value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        return tensorAttr(name, tensor("value", FLOAT, new long[] {1}, b.array()));
    }

    public static byte[] tensorAttr(String name, byte[] tensorProto) {
        Proto p = new Proto();
        p.string(1, name);
        p.message(5, tensorProto);
        p.varintField(20, 4);
        return p.bytes();
    }

    /**
     * A graph-valued attribute (the {@code then_branch} / {@code else_branch} of {@code If}): the
     * subgraph's nodes and outputs; it has no inputs and may read any value of the outer graph.
     */
    public static byte[] graphAttr(String name, OnnxGraphWriter subgraph) {
        Proto p = new Proto();
        p.string(1, name);
        p.message(6, subgraph.graphProto());
        p.varintField(20, 5);
        return p.bytes();
    }

    /** The serialised model. */
    public byte[] toBytes() {
        Proto opset = new Proto();
        opset.string(1, "");
        opset.varintField(2, OPSET);

        Proto model = new Proto();
        model.varintField(1, IR_VERSION);
        model.string(2, "ttsqueue-test-model-generator");
        model.string(3, "1");
        model.message(7, graphProto());
        model.message(8, opset.bytes());
        return model.bytes();
    }

    private byte[] graphProto() {
        Proto graph = new Proto();
        for (byte[] n : nodes) {
            graph.message(1, n);
        }
        graph.string(2, graphName);
        for (byte[] t : initializers) {
            graph.message(5, t);
        }
        for (byte[] i : inputs) {
            graph.message(11, i);
        }
        for (byte[] o : outputs) {
            graph.message(12, o);
        }
        return graph.bytes();
    }

    private static byte[] tensor(String name, int dataType, long[] dims, byte[] raw) {
        Proto p = new Proto();
        for (long d : dims) {
            p.varintField(1, d);
        }
        p.varintField(2, dataType);
        p.string(8, name);
        p.bytesField(9, raw);
        return p.bytes();
    }

    private static byte[] valueInfo(String name, int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim = new Proto();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.varintField(1, ((Number) d).longValue());
            }
            shape.message(1, dim.bytes());
        }
        Proto tensorType = new Proto();
        tensorType.varintField(1, elemType);
        tensorType.message(2, shape.bytes());
        Proto type = new Proto();
        type.message(1, tensorType.bytes());
        Proto vi = new Proto();
        vi.string(1, name);
        vi.message(2, type.bytes());
        return vi.bytes();
    }

    /** Protobuf wire-format encoder for one message. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varintField(int field, long value) {
            tag(field, 0);
            varint(value);
        }

        void string(int field, String s) {
            bytesField(field, s.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, byte[] m) {
            bytesField(field, m);
        }

        void bytesField(int field, byte[] b) {
            tag(field, 2);
            varint(b.length);
            out.writeBytes(b);
        }

        private void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
