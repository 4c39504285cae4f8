package localcache

// SetDefaultSockets points the default docker and rootful podman socket
// paths elsewhere for a test, and returns what puts them back.
func SetDefaultSockets(docker, podman string) (restore func()) {
	d, p := dockerSocket, podmanSocket
	dockerSocket, podmanSocket = docker, podman
	return func() { dockerSocket, podmanSocket = d, p }
}
