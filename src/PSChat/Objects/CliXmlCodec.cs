using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Xml;

namespace PSChat.Commands
{
    /// <summary>
    /// Objects as PowerShell remoting carries them: CliXml through <see cref="PSSerializer"/>. What comes in
    /// is untrusted: it is read first with a strict XML reader (no DTD, so no entity expansion; bounded
    /// depth, element count and size) and only then given to PSSerializer, which rehydrates PowerShell's own
    /// safe set of primitive types and turns everything else into Deserialized.* property bags.
    /// </summary>
    internal sealed class CliXmlCodec : IChatObjectCodec
    {
        /// <summary>Deeper XML than this is refused before PSSerializer reads it (-Depth 100 nests well within it).</summary>
        public const int MaxXmlDepth = 512;

        /// <summary>More elements than this are refused: a flood of tiny nodes costs far more to rehydrate than its bytes suggest.</summary>
        public const int MaxElements = 500_000;

        private const int MaxSummaryLength = 200;

        public static readonly CliXmlCodec Instance = new CliXmlCodec();

        private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

        public byte[] Serialize(object value, int depth) => Encoding.UTF8.GetBytes(PSSerializer.Serialize(value, depth));

        public string Summarize(object value)
        {
            var wrapped = PSObject.AsPSObject(value);
            string type = wrapped.TypeNames.FirstOrDefault() ?? value.GetType().FullName ?? "object";
            if (type.StartsWith("Deserialized.", StringComparison.Ordinal)) type = type.Substring("Deserialized.".Length);
            string text;
            try
            {
                // A hashtable's own text is its type name; its entries say more, as PowerShell shows a custom object's.
                text = wrapped.BaseObject is System.Collections.IDictionary entries
                    ? "@{" + string.Join("; ", entries.Keys.Cast<object>().Take(10).Select(k => $"{k}={LanguagePrimitives.ConvertTo<string>(entries[k])}")) + "}"
                    : (wrapped.BaseObject is PSCustomObject ? CustomObjectText(wrapped) : null) ?? LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;
            }
            catch (PSInvalidCastException)
            {
                text = string.Empty;
            }

            string summary = "[" + type + "] " + text;
            return summary.Length <= MaxSummaryLength ? summary : summary.Substring(0, MaxSummaryLength - 3) + "...";
        }

        /// <summary>
        /// A custom object's text as PowerShell writes it (<c>@{Name=bash; Id=1461; CPU=0.23}</c>: values in the
        /// invariant culture, a collection or a nested object by its own ToString), built directly and only as far
        /// as a summary shows (none: empty text): PowerShell's conversion costs a Select-Object row about as much as its serialization.
        /// </summary>
        private static string? CustomObjectText(PSObject value)
        {
            // An object, or a value, with a text of its own (a ToString from type data or Add-Member, or the one a
            // deserialized object remembers, as an enum that came through remoting) takes PowerShell's conversion.
            if (HasOwnText(value)) return null;
            var text = new StringBuilder("@{");
            foreach (var property in value.Properties)
            {
                // Only note properties: PowerShell writes other members (a script property) its own way, and a
                // getter may throw; such an object takes PowerShell's conversion.
                if (!(property is PSNoteProperty)) return null;
                if (text.Length > MaxSummaryLength) continue;
                if (text.Length > 2) text.Append("; ");
                object? item = property.Value;
                if (item is PSObject wrapped)
                {
                    if (HasOwnText(wrapped)) return null;
                    item = wrapped.BaseObject;
                }

                string? itemText;
                try
                {
                    itemText = item is string plain ? plain
                        : item is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture)
                        : item?.ToString();
                }
                catch (Exception ex) when (!(ex is OutOfMemoryException))
                {
                    // PowerShell's conversion shows such a value as empty text; it decides.
                    return null;
                }

                text.Append(property.Name).Append('=').Append(itemText);
            }

            // An object without properties is empty text to PowerShell, not "@{}".
            return text.Length == 2 ? string.Empty : text.Append('}').ToString();
        }

        private static bool HasOwnText(PSObject value)
        {
            foreach (string name in value.TypeNames)
            {
                if (name.StartsWith("Deserialized.", StringComparison.Ordinal)) return true;
            }

            var toString = value.Methods["ToString"];
            return toString is PSScriptMethod || toString is PSCodeMethod;
        }

        public object? Deserialize(byte[] data)
        {
            string xml;
            try
            {
                xml = StrictUtf8.GetString(data);
            }
            catch (ArgumentException ex)
            {
                throw new ChatPayloadException("it is not UTF-8 text", ex);
            }

            CheckShape(xml);
            try
            {
                return PSSerializer.Deserialize(xml);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // Whatever PSSerializer throws (a SecureString it cannot decrypt, a bad reference) refuses the payload, never the reader.
                throw new ChatPayloadException("it is not valid CliXml: " + ex.Message, ex);
            }
        }

        /// <summary>Reads the whole document once with every bound on; throws <see cref="ChatPayloadException"/> at the first one broken.</summary>
        private static void CheckShape(string xml)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersFromEntities = 1024,
                MaxCharactersInDocument = xml.Length,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
            };
            int elements = 0;
            try
            {
                using (var reader = XmlReader.Create(new StringReader(xml), settings))
                {
                    while (reader.Read())
                    {
                        if (reader.NodeType != XmlNodeType.Element) continue;
                        if (reader.Depth > MaxXmlDepth) throw new ChatPayloadException($"it nests deeper than {MaxXmlDepth} levels");
                        if (++elements > MaxElements) throw new ChatPayloadException($"it has more than {MaxElements} elements");
                    }
                }
            }
            catch (XmlException ex)
            {
                throw new ChatPayloadException("it is not well-formed XML without a DTD: " + ex.Message, ex);
            }
        }
    }
}
