// Command pause is the first process of every pod sandbox on the test
// environment's node: it holds the pod's namespaces, reaps the children that
// other processes of the pod leave to it (it is PID 1 of the pod), and exits
// on SIGTERM or SIGINT. Static (CGO_ENABLED=0), so the image is this file alone.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		reapChildren()
	}
}

// reapChildren collects every child that has exited: one SIGCHLD may stand
// for several.
func reapChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
