namespace LeakAnalyzers
{
    /// <summary>Every rule ID, category and help link lives here: ID → descriptor → analyzer file in one step.</summary>
    internal static class RuleIdentifiers
    {
        public const string StaticCollectionOnlyGrows = "LEAK001";
        public const string CacheNeverEvicts = "LEAK002";
        public const string EventSubscriptionOutlivesSubscriber = "LEAK003";
        public const string LongLivedDelegateCaptures = "LEAK004";
        public const string DisposableNotDisposed = "LEAK005";
        public const string OwnedDisposableFieldNotDisposed = "LEAK006";
        public const string NativeMemoryNotFreed = "LEAK007";
        public const string PooledArrayNotReturned = "LEAK008";
        public const string TimerOrRegistrationKeptAlive = "LEAK009";
        public const string WholeFileLoaded = "LEAK010";
        public const string StringAccumulatedInLoop = "LEAK011";

        public const string MemoryCategory = "Memory";
        public const string EfficiencyCategory = "Performance";

        private const string DocsRoot = "https://github.com/leakanalyzers/leakanalyzers/blob/main/docs/rules/";

        public static string GetHelpUri(string id) => DocsRoot + id + ".md";
    }
}
