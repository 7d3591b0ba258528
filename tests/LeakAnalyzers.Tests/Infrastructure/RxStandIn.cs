namespace LeakAnalyzers.Tests.Infrastructure
{
    /// <summary>A stand-in for System.Reactive's callback extensions and operators, as test source (the tests reference no Rx package).</summary>
    public static class RxStandIn
    {
        public const string Source = """
            namespace System.Reactive.Linq
            {
                using System;

                public static class ObservableExtensions
                {
                    public static IDisposable Subscribe<T>(this IObservable<T> source, Action<T> onNext) => source.Subscribe(new Observer<T>(onNext, null));
                    public static IDisposable Subscribe<T>(this IObservable<T> source, Action<T> onNext, Action<Exception>? onError) => source.Subscribe(new Observer<T>(onNext, onError));
                    public static IObservable<T> Where<T>(this IObservable<T> source, Func<T, bool> predicate) => source;
                    public static IObservable<T> Replay<T>(this IObservable<T> source, int count) => source;
                    public static IObservable<T> RefCount<T>(this IObservable<T> source) => source;
                    public static IObservable<T> Take<T>(this IObservable<T> source, int count) => source;
                    public static T DisposeWith<T>(this T item, CompositeDisposable holder) where T : IDisposable { holder.Add(item); return item; }
                }

                public sealed class Observer<T> : IObserver<T>
                {
                    private readonly Action<T> _onNext;
                    private readonly Action<Exception>? _onError;
                    public Observer(Action<T> onNext, Action<Exception>? onError) { _onNext = onNext; _onError = onError; }
                    public void OnNext(T value) => _onNext(value);
                    public void OnError(Exception error) => _onError?.Invoke(error);
                    public void OnCompleted() { }
                }

                public sealed class Subject<T> : IObservable<T>
                {
                    public IDisposable Subscribe(IObserver<T> observer) => new CompositeDisposable();
                    public void OnNext(T value) { }
                }

                public static class Observable
                {
                    public static IObservable<long> Interval(TimeSpan period) => new Subject<long>();
                }

                public sealed class CompositeDisposable : IDisposable
                {
                    private readonly System.Collections.Generic.List<IDisposable> _items = new();
                    public void Add(IDisposable item) => _items.Add(item);
                    public bool Remove(IDisposable item) => _items.Remove(item);
                    public void Dispose() { foreach (var item in _items) item.Dispose(); }
                }
            }
            """;
    }
}
