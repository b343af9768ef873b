using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PSChat.HelpBuilder
{
    /// <summary>
    /// HelpBuilder &lt;docs folder&gt; &lt;en-US output folder&gt; &lt;help file name&gt;: every cmdlet doc into one MAML
    /// file, every about_*.md into about_*.help.txt. Exit code 1 with file(line): reason on the first fault.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length != 3)
            {
                Console.Error.WriteLine("usage: HelpBuilder <docs folder> <output folder> <help file name, e.g. PSChat.dll-Help.xml>");
                return 2;
            }

            try
            {
                var written = Build(args[0], args[1], args[2]);
                foreach (string file in written) Console.WriteLine("Wrote " + file);
                return 0;
            }
            catch (HelpDocException ex)
            {
                Console.Error.WriteLine("Help docs: " + ex.Message);
                return 1;
            }
        }

        public static IReadOnlyList<string> Build(string docs, string output, string helpFileName)
        {
            var files = Directory.GetFiles(docs, "*.md").OrderBy(f => f, StringComparer.Ordinal).ToList();
            var commands = new List<CommandHelp>();
            var written = new List<string>();
            Directory.CreateDirectory(output);
            foreach (string file in files)
            {
                string markdown = File.ReadAllText(file);
                if (AboutTopicWriter.IsAboutTopic(file))
                {
                    string target = Path.Combine(output, Path.GetFileNameWithoutExtension(file) + ".help.txt");
                    File.WriteAllText(target, AboutTopicWriter.Convert(file, markdown), new UTF8Encoding(false));
                    written.Add(target);
                }
                else
                {
                    commands.Add(CommandHelpParser.Parse(file, markdown));
                }
            }

            if (commands.Count == 0) throw new HelpDocException(docs, 0, "no cmdlet docs (Verb-Noun.md) found.");
            string maml = Path.Combine(output, helpFileName);
            using (var stream = File.Create(maml)) MamlWriter.Write(stream, commands);
            written.Add(maml);
            return written;
        }
    }
}
