// Command concord is the Concord server and its command-line client.
package main

func main() {}
