// The pod sandbox's first process, built here because no image can be pulled
// from a public registry on the test machines (hack/build-pause.sh).
module imagestream-operator/hack/pause

go 1.22
