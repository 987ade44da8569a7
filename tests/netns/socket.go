package netns

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Sockets of the test's own process inside a namespace: a socket belongs to the namespace of the thread that
// created it, and stays there. inside runs fn on a thread of its own switched into the namespace; the thread is
// never switched back, it ends with its goroutine (LockOSThread without Unlock), so no other goroutine ever runs
// in the namespace by accident.
func (n *Namespace) inside(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // not unlocked: the thread exits with this goroutine
		f, err := os.Open("/var/run/netns/" + n.Name)
		if err != nil {
			done <- fmt.Errorf("netns %s: %w", n.Name, err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("netns %s: setns: %w", n.Name, err)
			return
		}
		done <- fn()
	}()
	return <-done
}

// Listen opens a listener inside the namespace (e.g. a test's web server on a host of a LAN).
func (n *Namespace) Listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := n.inside(func() error {
		var err error
		l, err = (&net.ListenConfig{}).Listen(context.Background(), network, address)
		return err
	})
	return l, err
}

// DialContext connects from inside the namespace (an http.Transport's DialContext for calls to a LAN's hosts).
// Addresses must be literal IPs: the namespace has no resolver of its own.
func (n *Namespace) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var c net.Conn
	err := n.inside(func() error {
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, address)
		return err
	})
	return c, err
}
