using System;
using System.IO;
using System.IO.Compression;

namespace LeakAnalyzers.Tool.Tests
{
    /// <summary>Just enough PNG decoding (8-bit RGB/RGBA, not interlaced: what Chromium writes) to look at a screenshot's pixels.</summary>
    internal sealed class Png
    {
        private Png(int width, int height, byte[] rgba)
        {
            Width = width;
            Height = height;
            Rgba = rgba;
        }

        public int Width { get; }

        public int Height { get; }

        public byte[] Rgba { get; }

        public (byte R, byte G, byte B) Pixel(int x, int y)
        {
            var i = ((y * Width) + x) * 4;
            return (Rgba[i], Rgba[i + 1], Rgba[i + 2]);
        }

        public static Png Load(string path)
        {
            using var file = File.OpenRead(path);
            using var reader = new BinaryReader(file);
            reader.ReadBytes(8);
            int width = 0, height = 0, channels = 0;
            using var idat = new MemoryStream();
            while (file.Position < file.Length)
            {
                var length = BigEndian(reader.ReadBytes(4));
                var type = System.Text.Encoding.ASCII.GetString(reader.ReadBytes(4));
                var data = reader.ReadBytes(length);
                reader.ReadBytes(4);
                if (type == "IHDR")
                {
                    width = BigEndian(data.AsSpan(0, 4).ToArray());
                    height = BigEndian(data.AsSpan(4, 4).ToArray());
                    if (data[8] != 8 || data[12] != 0 || (data[9] != 2 && data[9] != 6))
                    {
                        throw new NotSupportedException($"PNG colour type {data[9]}, depth {data[8]}, interlace {data[12]}");
                    }

                    channels = data[9] == 6 ? 4 : 3;
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                else if (type == "IEND")
                {
                    break;
                }
            }

            idat.Position = 0;
            using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
            var stride = width * channels;
            var previous = new byte[stride];
            var row = new byte[stride];
            var rgba = new byte[width * height * 4];
            for (var y = 0; y < height; y++)
            {
                var filter = inflate.ReadByte();
                inflate.ReadExactly(row);
                for (var i = 0; i < stride; i++)
                {
                    int a = i >= channels ? row[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                    row[i] = (byte)(row[i] + filter switch
                    {
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => 0,
                    });
                }

                for (var x = 0; x < width; x++)
                {
                    var o = ((y * width) + x) * 4;
                    rgba[o] = row[x * channels];
                    rgba[o + 1] = row[(x * channels) + 1];
                    rgba[o + 2] = row[(x * channels) + 2];
                    rgba[o + 3] = channels == 4 ? row[(x * channels) + 3] : (byte)255;
                }

                (previous, row) = (row, previous);
            }

            return new Png(width, height, rgba);
        }

        private static int Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        private static int BigEndian(byte[] bytes) => (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
    }
}
