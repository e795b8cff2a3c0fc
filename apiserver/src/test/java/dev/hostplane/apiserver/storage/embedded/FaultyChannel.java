package dev.hostplane.apiserver.storage.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real file channel that fails on demand, as a full or failing disk does: a failing write first writes part of
 * its buffer, so the caller must clean up after it; a failing force writes everything but does not make it durable.
 */
final class FaultyChannel extends FileChannel {
  /** Switches shared by every channel of one test. */
  static final class Faults {
    volatile boolean failWrites;
    volatile boolean failForce;
  }

  private final FileChannel delegate;
  private final Faults faults;

  FaultyChannel(FileChannel delegate, Faults faults) {
    this.delegate = delegate;
    this.faults = faults;
  }

  private int maybeFail(ByteBuffer src, long position) throws IOException {
    if (faults.failWrites) {
      ByteBuffer half = src.duplicate();
      half.limit(half.position() + Math.max(1, half.remaining() / 2));
      delegate.write(half, position);
      throw new IOException("No space left on device");
    }
    return delegate.write(src, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return maybeFail(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = maybeFail(src, delegate.position());
    delegate.position(delegate.position() + n);
    return n;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    if (faults.failForce) {
      throw new IOException("Input/output error");
    }
    delegate.force(metaData);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return delegate.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return delegate.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    delegate.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return delegate.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }
}
