// Command ssmctl puts AWS Systems Manager at an operator's fingertips.
package main

import "os"

func main() { os.Exit(run()) }
