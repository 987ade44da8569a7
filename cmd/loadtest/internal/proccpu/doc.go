// Package proccpu reads, from Linux's /proc, how much CPU a process has used and which process listens on a TCP
// port. The load tool uses it to measure the slaves' CPU from outside them. Every reader takes the /proc root as a
// parameter so that tests run on a fake tree.
package proccpu
