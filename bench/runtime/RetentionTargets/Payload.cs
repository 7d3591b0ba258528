using System.Runtime.CompilerServices;

namespace RetentionTargets
{
    /// <summary>1 KB held inline, so that each leaked object's own type is what grows (not a byte[] it points to).</summary>
    [InlineArray(1024)]
    public struct Kilobyte
    {
        private byte _first;
    }
}
