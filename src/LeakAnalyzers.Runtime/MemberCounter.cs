using System;
using System.Collections;
using System.Linq;
using System.Reflection;

namespace LeakAnalyzers.Runtime
{
    /// <summary>
    /// Reads, by reflection, how many elements a static collection holds or how many handlers an event has: the member a
    /// finding names by its containing type's metadata name (<c>Namespace.Outer+Inner</c>) and member name. Instance
    /// members of a singleton are read through the type's static instance (<c>Instance</c>, <c>Lazy&lt;T&gt;</c>).
    /// </summary>
    public sealed class MemberCounter
    {
        private readonly Func<object?> _read;

        private MemberCounter(string description, Func<object?> read)
        {
            Description = description;
            _read = read;
        }

        public string Description { get; }

        /// <summary>Finds the member in the loaded assemblies; null when it is not there (not loaded, open generic, gone).</summary>
        public static MemberCounter? TryCreate(string typeMetadataName, string memberName, string? assemblyName = null)
        {
            var type = FindType(typeMetadataName, assemblyName);
            return type is null ? null : TryCreate(type, memberName);
        }

        public static MemberCounter? TryCreate(Type type, string memberName)
        {
            if (type.ContainsGenericParameters)
            {
                return null;
            }

            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            var field = type.GetField(memberName, all) ?? type.GetField("<" + memberName + ">k__BackingField", all);
            var property = field is null ? type.GetProperty(memberName, all) : null;
            var isStatic = field?.IsStatic ?? property?.GetGetMethod(true)?.IsStatic ?? false;
            if (field is null && property is null)
            {
                return null;
            }

            Func<object?, object?> get = field is not null ? field.GetValue : target => property!.GetValue(target, null);
            var name = type.FullName + "." + memberName;
            if (isStatic)
            {
                return new MemberCounter(name, () => get(null));
            }

            var instance = SingletonAccessor(type);
            return instance is null ? null : new MemberCounter(name, () => instance() is { } target ? get(target) : null);
        }

        /// <summary>The element count (collections), handler count (delegates) or 0 for null; NaN when it cannot be read.</summary>
        public double Read()
        {
            try
            {
                return Count(_read());
            }
            catch (Exception e) when (e is TargetInvocationException or InvalidOperationException or MemberAccessException)
            {
                return double.NaN;
            }
        }

        /// <summary>
        /// Identity of the collection's first element (or of the delegate): changes when a full, bounded collection rolls
        /// over, so that "count unchanged" is not mistaken for "never touched".
        /// </summary>
        public int Fingerprint()
        {
            try
            {
                var value = _read();
                if (value is IEnumerable enumerable and not string)
                {
                    foreach (var item in enumerable)
                    {
                        return item is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(item);
                    }

                    return 0;
                }

                return value is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value);
            }
            catch (Exception e) when (e is TargetInvocationException or InvalidOperationException or MemberAccessException)
            {
                return 0;
            }
        }

        internal static double Count(object? value)
        {
            switch (value)
            {
                case null:
                    return 0;
                case Delegate handler:
                    return handler.GetInvocationList().Length;
                case ICollection collection:
                    return collection.Count;
            }

            var count = value.GetType().GetProperty("Count", BindingFlags.Public | BindingFlags.Instance)
                ?? value.GetType().GetProperty("Length", BindingFlags.Public | BindingFlags.Instance);
            if (count?.GetValue(value, null) is int n)
            {
                return n;
            }

            if (value is IEnumerable enumerable)
            {
                var items = 0;
                foreach (var _ in enumerable)
                {
                    items++;
                }

                return items;
            }

            return double.NaN;
        }

        private static Func<object?>? SingletonAccessor(Type type)
        {
            const BindingFlags statics = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var field in type.GetFields(statics))
            {
                if (field.FieldType == type)
                {
                    return () => field.GetValue(null);
                }

                if (field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(Lazy<>) && field.FieldType.GetGenericArguments()[0] == type)
                {
                    return () => field.GetValue(null) is { } lazy && (bool)field.FieldType.GetProperty("IsValueCreated")!.GetValue(lazy, null)!
                        ? field.FieldType.GetProperty("Value")!.GetValue(lazy, null)
                        : null;
                }
            }

            foreach (var property in type.GetProperties(statics))
            {
                if (property.PropertyType == type && property.GetIndexParameters().Length == 0)
                {
                    return () => property.GetValue(null, null);
                }
            }

            return null;
        }

        private static Type? FindType(string metadataName, string? assemblyName)
        {
            var assemblies = AppDomain.CurrentDomain.GetAssemblies();
            foreach (var assembly in assemblies.OrderBy(a => a.GetName().Name == assemblyName ? 0 : 1))
            {
                try
                {
                    if (assembly.GetType(metadataName, throwOnError: false) is { } type)
                    {
                        return type;
                    }
                }
                catch (Exception e) when (e is BadImageFormatException or System.IO.FileLoadException or System.IO.FileNotFoundException)
                {
                    // A dynamic or broken assembly: skip it.
                }
            }

            return null;
        }
    }
}
