namespace LeakAnalyzers
{
    /// <summary>
    /// Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/>. The code fixes read them instead of redoing the
    /// analysis, and the runtime companion reads TypeMetadataName/MemberName (through SARIF) to find the member in a process.
    /// </summary>
    public static class DiagnosticPropertyNames
    {
        /// <summary>Metadata name of the containing type: <c>Namespace.Outer+Inner`1</c>.</summary>
        public const string TypeMetadataName = "TypeMetadataName";

        /// <summary>Name of the field, property or event.</summary>
        public const string MemberName = "MemberName";

        /// <summary><c>Field</c>, <c>Property</c> or <c>Event</c>.</summary>
        public const string MemberKind = "MemberKind";

        /// <summary>Simple name of the assembly that declares the member.</summary>
        public const string AssemblyName = "AssemblyName";

        /// <summary>The <see cref="CollectionKind"/> of a collection member, for the fixes.</summary>
        public const string CollectionKind = "CollectionKind";

        /// <summary>Number of places that add to the member.</summary>
        public const string GrowthCount = "GrowthCount";

        /// <summary>How a resource is lost (<c>Dropped</c>, <c>NeverReleased</c>, <c>NotOnEveryPath</c>, <c>NotOnExceptionPath</c>, <c>Overwritten</c>), LEAK005–LEAK009.</summary>
        public const string LeakShape = "LeakShape";

        /// <summary>Name of the local that holds the resource.</summary>
        public const string LocalName = "LocalName";

        /// <summary>"true" when the local is assigned more than once (a <c>using</c> local cannot be).</summary>
        public const string Reassigned = "Reassigned";

        /// <summary>"true" when the resource comes from an awaited factory.</summary>
        public const string Awaited = "Awaited";

        /// <summary>The call that releases the resource, e.g. <c>System.Runtime.InteropServices.Marshal.FreeHGlobal</c> or <c>.Free</c> (instance).</summary>
        public const string ReleaseCall = "ReleaseCall";

        /// <summary>The expression the array was rented from (<c>ArrayPool&lt;byte&gt;.Shared</c>), for the Return call.</summary>
        public const string PoolExpression = "PoolExpression";

        /// <summary>LEAK009: <c>Timer</c>, <c>Registration</c> or <c>TokenSource</c>.</summary>
        public const string ResourceKind = "ResourceKind";
    }
}
