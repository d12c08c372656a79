package nodes

// NodeView is what the external tests decode `nodes -o json` into.
type NodeView = nodeView
