// Package proccpu reads, from Linux's /proc, how much CPU a process has used, which process listens on a TCP
// port, and how many datagrams the kernel dropped on a process's UDP sockets. The load tool uses it to measure the
// slaves from outside them. Every reader takes the /proc root as a parameter so that tests run on a fake tree.
package proccpu
