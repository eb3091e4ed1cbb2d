package dev.gpt4video.core.checkpoint;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/** The tensors of another checkpoint under one name prefix, seen without it. Closing it does not close the parent. */
final class PrefixedCheckpoint implements Checkpoint {
    private final Checkpoint parent;
    private final String prefix;
    private final SortedSet<String> names;

    PrefixedCheckpoint(Checkpoint parent, String prefix) {
        this.parent = parent;
        this.prefix = prefix;
        TreeSet<String> n = new TreeSet<>();
        for (String name : parent.names()) {
            if (name.startsWith(prefix)) {
                n.add(name.substring(prefix.length()));
            }
        }
        this.names = Collections.unmodifiableSortedSet(n);
    }

    @Override
    public Path source() {
        return parent.source();
    }

    @Override
    public SortedSet<String> names() {
        return names;
    }

    @Override
    public TensorInfo info(String name) {
        return parent.info(prefix + name).withName(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        return parent.bytes(prefix + name);
    }

    @Override
    public void close() {
        // The parent owns the files.
    }
}
