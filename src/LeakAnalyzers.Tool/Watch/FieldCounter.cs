using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LeakAnalyzers.Runtime;
using Microsoft.Diagnostics.Runtime;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>
    /// Reads the element counts of the static fields findings name, with ClrMD: attach, read the counts only (never a
    /// heap walk of the live process), detach. The attach does not suspend the target: a suspended ptrace attach
    /// interleaved with the EventPipe sessions of the heap sampler left the target stopped on this runtime, and a count
    /// read from a running process is at most off by the additions in flight. On current runtimes ClrMD needs the DAC
    /// next to the loaded libcoreclr.so, passed explicitly with the version check relaxed.
    /// </summary>
    public static class FieldCounter
    {
        public static IReadOnlyDictionary<SarifFinding, double> Read(int processId, IReadOnlyList<SarifFinding> findings)
        {
            var counts = new Dictionary<SarifFinding, double>();
            using var target = DataTarget.AttachToProcess(processId, suspend: false);
            var info = target.ClrVersions.FirstOrDefault() ?? throw new InvalidOperationException("no CLR found in the process");
            var dac = Path.Combine(Path.GetDirectoryName(info.ModuleInfo.FileName) ?? string.Empty, OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
            using var runtime = File.Exists(dac) ? info.CreateRuntime(dac, ignoreMismatch: true) : info.CreateRuntime();
            var domain = runtime.AppDomains.FirstOrDefault();
            foreach (var finding in findings)
            {
                counts[finding] = double.NaN;
                if (domain is null)
                {
                    continue;
                }

                foreach (var module in runtime.EnumerateModules())
                {
                    var type = module.GetTypeByName(finding.TypeMetadataName!);
                    var field = type?.GetStaticFieldByName(finding.MemberName!) ?? type?.GetStaticFieldByName("<" + finding.MemberName + ">k__BackingField");
                    if (field is null)
                    {
                        continue;
                    }

                    counts[finding] = field.IsObjectReference ? Count(field.ReadObject(domain)) : double.NaN;
                    break;
                }
            }

            return counts;
        }

        /// <summary>Element count of the common BCL collections and handler count of delegates; NaN when unknown.</summary>
        internal static double Count(ClrObject value)
        {
            if (value.IsNull || !value.IsValid)
            {
                return 0;
            }

            var name = value.Type?.Name ?? string.Empty;
            try
            {
                if (name.StartsWith("System.Collections.Generic.Dictionary<", StringComparison.Ordinal) || name.StartsWith("System.Collections.Generic.HashSet<", StringComparison.Ordinal))
                {
                    return value.ReadField<int>("_count") - value.ReadField<int>("_freeCount");
                }

                if (name.StartsWith("System.Collections.Concurrent.ConcurrentDictionary<", StringComparison.Ordinal))
                {
                    var perLock = value.ReadObjectField("_tables").ReadObjectField("_countPerLock");
                    if (perLock.IsArray)
                    {
                        var array = perLock.AsArray();
                        return array.ReadValues<int>(0, array.Length)?.Sum() ?? double.NaN;
                    }
                }

                if (value.Type?.BaseType?.Name == "System.MulticastDelegate")
                {
                    var list = value.ReadObjectField("_invocationList");
                    return list.IsNull ? 1 : value.ReadField<nint>("_invocationCount");
                }

                foreach (var fieldName in new[] { "_size", "_count", "count" })
                {
                    if (value.Type?.GetFieldByName(fieldName) is { ElementType: ClrElementType.Int32 })
                    {
                        return value.ReadField<int>(fieldName);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                return double.NaN;
            }

            return double.NaN;
        }
    }
}
