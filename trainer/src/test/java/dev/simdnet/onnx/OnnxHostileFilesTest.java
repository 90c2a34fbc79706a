package dev.simdnet.onnx;

import dev.simdnet.model.Checkpoint.CheckpointException;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Damaged and hostile ONNX files are each refused with one clear line, before anything large is allocated. */
class OnnxHostileFilesTest {

    static List<HostileOnnx.Case> cases() { return HostileOnnx.cases(); }

    @Test
    void thereAreAtLeastTwentyOfThem() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(20);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void isRefusedWithOneLine(HostileOnnx.Case c, @TempDir Path dir) throws Exception {
        Path f = dir.resolve(c.name() + ".onnx");
        Files.write(f, c.bytes());
        Throwable t = catchThrowable(() -> Model.load(f));
        assertThat(t).as(c.name()).isInstanceOf(CheckpointException.class);
        assertThat(t.getMessage()).as(c.name()).contains(f.toString()).contains(c.says()).doesNotContain("\n").hasSizeLessThan(400);
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.onnx");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.position(OnnxImport.MAX_FILE_BYTES + 1).write(java.nio.ByteBuffer.wrap(new byte[1])); // sparse: no disk used
        }
        assertThat(catchThrowable(() -> Model.load(f))).isInstanceOf(CheckpointException.class).hasMessageContaining("more than");
    }

    @Test
    void theSameFilesAreFine() {
        // The undamaged originals load, so each refusal above is the damage's doing.
        assertThat(OnnxImport.decode(HostileOnnx.good().toByteArray(), "good").classes()).isEqualTo(OnnxGraphs.CLASSES);
        assertThat(OnnxImport.decode(OnnxGraphs.dynamoStyle(18, false, 1).toByteArray(), "good").classes()).isEqualTo(OnnxGraphs.CLASSES);
    }
}
