package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFileName is the lock file in the data directory: serve and restore hold an
// exclusive flock on it, so a restore can never replace a database a server is using.
const LockFileName = "toasoan.lock"

// ErrLocked is returned when another process holds the data directory's lock.
var ErrLocked = errors.New("db: data directory is in use by another toasoan process")

// DirLock is an exclusive advisory lock on a data directory. The kernel drops it when
// the process dies, so a crash never leaves a stale lock behind.
type DirLock struct {
	f *os.File
}

// LockDir takes the data directory's lock without waiting; ErrLocked when a running
// server (or a restore) holds it.
func LockDir(dataDir string) (*DirLock, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked)", ErrLocked, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is for the operator who looks; the flock is what counts.
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &DirLock{f: f}, nil
}

// Unlock releases the lock.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}
