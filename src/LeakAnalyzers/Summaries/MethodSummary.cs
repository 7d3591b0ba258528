using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers.Summaries
{
    /// <summary>What a method does with one of its parameters or its receiver, as far as its code shows.</summary>
    [Flags]
    internal enum ValueEffects : ushort
    {
        /// <summary>Only read: members called, passed where nobody keeps it.</summary>
        None = 0,

        /// <summary>Released (Dispose/Close, Free, pool Return) on every path through the method.</summary>
        Released = 1,

        /// <summary>Released on some paths only, or later (by a callback the method registers).</summary>
        ReleasedSometimes = 2,

        /// <summary>Stored in a field, auto-property or collection of the receiver.</summary>
        StoredInInstance = 4,

        /// <summary>Stored in a static member or in a collection reached from one.</summary>
        StoredInStatic = 8,

        /// <summary>Stored in another object (a parameter's member, an object created and kept elsewhere).</summary>
        StoredElsewhere = 16,

        /// <summary>Kept by the object the method returns (a wrapper that owns it, <c>Task.FromResult(x)</c>).</summary>
        StoredInResult = 32,

        /// <summary>Returned as is (a pass-through or fluent call).</summary>
        Returned = 64,

        /// <summary>Removed from a store (a collection's Remove, an event's <c>-=</c>).</summary>
        Removed = 128,

        /// <summary>Used in a way the model does not follow.</summary>
        Unknown = 256,

        /// <summary>
        /// Given to a pending operation that hands it to its own Completed handlers (a socket's <c>SendAsync(args)</c>):
        /// whoever subscribed those handlers decides whether it is released.
        /// </summary>
        Completion = 512,

        /// <summary>Any of the stores.</summary>
        Stored = StoredInInstance | StoredInStatic | StoredElsewhere,
    }

    /// <summary>Where the value a method returns comes from.</summary>
    internal enum ReturnKind : byte
    {
        /// <summary>Not known (mixed origins, a call the model does not follow).</summary>
        Unknown,

        /// <summary>The method returns nothing (or only null/default).</summary>
        Nothing,

        /// <summary>An object the method created and kept nowhere: the caller owns it.</summary>
        New,

        /// <summary>A field, a stored element or an object the method also keeps: the callee keeps ownership.</summary>
        Kept,

        /// <summary>Its receiver (<c>return this</c>): a fluent call.</summary>
        Receiver,

        /// <summary>One of its parameters (<see cref="MethodSummary.ReturnedParameter"/>).</summary>
        Parameter,
    }

    /// <summary>
    /// One long-lived store a method writes a parameter or its receiver into: the member that holds it (field, property,
    /// event or collection), whether it is static, and whether the method adds to it or removes from it.
    /// </summary>
    internal readonly struct StoreSite : IEquatable<StoreSite>
    {
        public StoreSite(int parameter, string member, bool isStatic, bool removes, Location? location)
        {
            Parameter = parameter;
            Member = member;
            IsStatic = isStatic;
            Removes = removes;
            Location = location;
        }

        /// <summary>The parameter's ordinal, or -1 for the receiver.</summary>
        public int Parameter { get; }

        /// <summary>The store's member as <c>Namespace.Type.Member</c>.</summary>
        public string Member { get; }

        public bool IsStatic { get; }

        public bool Removes { get; }

        /// <summary>Where the callee writes the store (an additional location for a finding).</summary>
        public Location? Location { get; }

        public bool Equals(StoreSite other)
            => Parameter == other.Parameter && Member == other.Member && IsStatic == other.IsStatic && Removes == other.Removes;

        public override bool Equals(object? obj) => obj is StoreSite other && Equals(other);

        public override int GetHashCode() => (Member?.GetHashCode() ?? 0) ^ Parameter ^ (Removes ? 1 << 30 : 0);
    }

    /// <summary>
    /// What one method does with its receiver and parameters, and what it returns, read off its code (or, for methods from
    /// metadata, off the curated table in <see cref="MetadataSummaries"/>). Plain data: no symbols, so that a summary can
    /// outlive the compilation it was computed in (the IDE's per-request forks share the unchanged syntax trees).
    /// </summary>
    internal sealed class MethodSummary
    {
        public static readonly MethodSummary Unknown = new MethodSummary(ValueEffects.Unknown, ImmutableArray<ValueEffects>.Empty, ReturnKind.Unknown, -1, ImmutableArray<StoreSite>.Empty, isUnknown: true);

        public MethodSummary(ValueEffects receiver, ImmutableArray<ValueEffects> parameters, ReturnKind returns, int returnedParameter, ImmutableArray<StoreSite> stores, bool isUnknown = false, int nothingWhenParameter = -1, bool nothingWhenValue = false)
        {
            NothingWhenParameter = nothingWhenParameter;
            NothingWhenValue = nothingWhenValue;
            Receiver = receiver;
            Parameters = parameters;
            Returns = returns;
            ReturnedParameter = returnedParameter;
            Stores = stores;
            IsUnknown = isUnknown;
        }

        /// <summary>True for the summary of a method the model knows nothing about.</summary>
        public bool IsUnknown { get; }

        public ValueEffects Receiver { get; }

        public ImmutableArray<ValueEffects> Parameters { get; }

        public ReturnKind Returns { get; }

        /// <summary>The ordinal of the returned parameter when <see cref="Returns"/> is <see cref="ReturnKind.Parameter"/>.</summary>
        public int ReturnedParameter { get; }

        /// <summary>
        /// A bool parameter that, when passed <see cref="NothingWhenValue"/>, makes the method return null before it can create
        /// anything (<c>if (isLevel0) { ...; return null; }</c>); -1 when there is none.
        /// </summary>
        public int NothingWhenParameter { get; }

        public bool NothingWhenValue { get; }

        /// <summary>The call passes the constant that makes the method return nothing.</summary>
        public bool ReturnsNothingFor(System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Operations.IArgumentOperation> arguments)
        {
            if (NothingWhenParameter < 0)
            {
                return false;
            }

            foreach (var argument in arguments)
            {
                if (argument.Parameter?.Ordinal == NothingWhenParameter)
                {
                    return argument.Value.ConstantValue is { HasValue: true, Value: bool value } && value == NothingWhenValue;
                }
            }

            return false;
        }

        /// <summary>The long-lived stores the method writes its receiver or parameters into (directly or through calls).</summary>
        public ImmutableArray<StoreSite> Stores { get; }

        /// <summary>The effects on the parameter with this ordinal (-1: the receiver); unknown past the end (params arrays).</summary>
        public ValueEffects EffectsOn(int ordinal)
        {
            if (IsUnknown)
            {
                return ValueEffects.Unknown;
            }

            if (ordinal < 0)
            {
                return Receiver;
            }

            return ordinal < Parameters.Length ? Parameters[ordinal] : ValueEffects.Unknown;
        }

        public override string ToString()
            => IsUnknown ? "unknown" : $"this:{Receiver} ({string.Join(", ", Parameters)}) returns {Returns}{(Returns == ReturnKind.Parameter ? "#" + ReturnedParameter : string.Empty)}";
    }
}
