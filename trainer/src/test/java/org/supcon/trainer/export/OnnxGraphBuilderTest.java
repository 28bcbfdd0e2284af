package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;

class OnnxGraphBuilderTest {

    private static OnnxGraphBuilder withInput() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("g");
        g.input("x", ElemType.FLOAT, Dim.param("N"), Dim.of(2));
        return g;
    }

    @Test
    void clashingNamesGetSuffixesForNodesAndValues() {
        OnnxGraphBuilder g = withInput();
        String w1 = g.initializer("w", new long[] {2}, new float[] {1, 2});
        String w2 = g.initializer("w", new long[] {2}, new float[] {3, 4});
        String a = g.node("Relu", "block/Relu", List.of("x"));
        String b = g.node("Relu", "block/Relu", List.of(a));
        g.nodeWithOutput("Add", "sum", "y", List.of(b, w2));
        g.output("y", ElemType.FLOAT, Dim.param("N"), Dim.of(2));
        OnnxGraph graph = g.build();
        assertEquals("w", w1);
        assertEquals("w_2", w2);
        assertEquals(List.of("block/Relu", "block/Relu_2", "sum"),
                graph.nodes().stream().map(OnnxGraph.Node::name).toList());
        assertEquals(List.of("block/Relu_output"), graph.nodes().get(0).outputs());
        assertEquals(List.of("block/Relu_2_output"), graph.nodes().get(1).outputs());
        assertArrayEquals(new long[] {2}, graph.initializers().get(1).dims());
        // little-endian 3.0f = 0x40400000
        assertArrayEquals(new byte[] {0, 0, 0x40, 0x40},
                java.util.Arrays.copyOf(graph.initializers().get(1).rawData(), 4));
    }

    @Test
    void refusesToConsumeAValueNobodyProduced() {
        OnnxGraphBuilder g = withInput();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.node("Add", "add", List.of("x", "bias")));
        assertTrue(e.getMessage().contains("consumes bias"), e.getMessage());
    }

    @Test
    void refusesTakenOutputNamesUndeclaredOutputsAndRepeatedAttributes() {
        OnnxGraphBuilder g = withInput();
        assertThrows(IllegalArgumentException.class,
                () -> g.nodeWithOutput("Relu", "r", "x", List.of("x")));
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                () -> g.output("nothing", ElemType.FLOAT));
        assertTrue(out.getMessage().contains("nothing"), out.getMessage());
        IllegalArgumentException attr = assertThrows(IllegalArgumentException.class,
                () -> g.node("Softmax", "s", List.of("x"), Attribute.of("axis", 1L),
                        Attribute.of("axis", 0L)));
        assertTrue(attr.getMessage().contains("axis twice"), attr.getMessage());
        IllegalStateException empty = assertThrows(IllegalStateException.class, g::build);
        assertTrue(empty.getMessage().contains("one output"), empty.getMessage());
    }

    @Test
    void initializerDataMustFillItsShape() {
        OnnxGraphBuilder g = withInput();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.initializer("w", new long[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
