package dev.hostplane.apiserver.storage.embedded.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens the WAL's files; tests substitute one whose channels fail on demand. */
@FunctionalInterface
public interface FileOpener {
  FileOpener DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
