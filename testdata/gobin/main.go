// Command gobin is a fixture: a small Go executable with a dependency, whose
// build information wharf packages reads from an image's layer.
package main

import (
	"fmt"
	"os"

	"github.com/cespare/xxhash/v2"
)

func main() { fmt.Println(xxhash.Sum64String(os.Args[0])) }
