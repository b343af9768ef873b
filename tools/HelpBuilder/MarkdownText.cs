using System;
using System.Text;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace PSChat.HelpBuilder
{
    /// <summary>
    /// Markdown inlines as help text: emphasis markers and code backticks dropped, a soft line break
    /// is a space, an absolute link reads "text (url)", a relative one keeps only its text.
    /// </summary>
    public static class MarkdownText
    {
        public static string Of(LeafBlock block) => block.Inline == null ? block.Lines.ToString().Trim() : Of(block.Inline).Trim();

        public static string Of(ContainerInline container)
        {
            var text = new StringBuilder();
            Append(text, container.FirstChild);
            return text.ToString();
        }

        public static bool IsAbsoluteUri(string? url) =>
            url != null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

        private static void Append(StringBuilder text, Inline? inline)
        {
            for (; inline != null; inline = inline.NextSibling)
            {
                switch (inline)
                {
                    case LiteralInline literal:
                        text.Append(literal.Content.ToString());
                        break;
                    case CodeInline code:
                        text.Append(code.Content);
                        break;
                    case LineBreakInline lineBreak:
                        text.Append(lineBreak.IsHard ? "\n" : " ");
                        break;
                    case AutolinkInline autolink:
                        text.Append(autolink.Url);
                        break;
                    case LinkInline link:
                        string label = Of(link);
                        text.Append(label);
                        if (IsAbsoluteUri(link.Url) && label != link.Url) text.Append(" (").Append(link.Url).Append(')');
                        break;
                    case HtmlEntityInline entity:
                        text.Append(entity.Transcoded.ToString());
                        break;
                    case HtmlInline html:
                        text.Append(html.Tag);
                        break;
                    case ContainerInline container:
                        Append(text, container.FirstChild);
                        break;
                    default:
                        throw new NotSupportedException($"Unexpected markdown inline {inline.GetType().Name}.");
                }
            }
        }
    }
}
