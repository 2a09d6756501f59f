using Xunit;

// Scenarios stop the broker and restart the database the whole suite shares: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
