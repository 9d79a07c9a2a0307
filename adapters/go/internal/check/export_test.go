package check

// SetPipeline makes every run with at least min bytes of trace read ahead in
// batches of batch events (see feed), for the tests that compare the serial
// feed with the pipelined one; the returned function restores the defaults.
func SetPipeline(min, batch int) (restore func()) {
	oldMin, oldBatch, oldEnv, oldAll := pipelineMin, batchEvents, pipelineEnv, pipelineAll
	pipelineMin, batchEvents, pipelineEnv, pipelineAll = min, batch, "", false
	return func() { pipelineMin, batchEvents, pipelineEnv, pipelineAll = oldMin, oldBatch, oldEnv, oldAll }
}
