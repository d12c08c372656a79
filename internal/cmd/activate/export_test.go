package activate

// The runs, for tests that give the options a fake client.
var (
	ListRun  = listRun
	NodesRun = nodesRun
)
