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
    }
}
