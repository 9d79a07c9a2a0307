// Test programs that write runtime/trace traces of short, realistic runs. A
// separate module without dependencies, so that old toolchains (Go 1.22 on)
// build it.
module gotrace-harness/testprogs

go 1.22
