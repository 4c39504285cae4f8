// Package ecr reaches Amazon ECR through the AWS SDK (the default credential
// chain, SigV4): repositories, tags with digests, sizes and push times, one
// tag deleted at its digest, PutImage for retag and undo, immutable tags
// refused up front, lifecycle policies and scan findings. It is the only
// package that imports the SDK.
package ecr
