using System.Text;
using DocumentFormat.OpenXml.Packaging;
using MimeKit;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace KccRights.Collation.Connectors;

/// <summary>The text of a document: PDF (PdfPig), DOCX (Open XML SDK), EML (MimeKit: headers and text body), plain text.</summary>
public static class DocumentText
{
    public static readonly string[] Extensions = [".pdf", ".docx", ".eml", ".txt"];

    /// <summary>The text, or null when the file's kind is not read (or it is damaged; the file is still collated).</summary>
    public static string? Extract(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            switch (Path.GetExtension(fileName).ToLowerInvariant())
            {
                case ".pdf":
                {
                    using var pdf = PdfPigDocument.Open(content);
                    var text = new StringBuilder();
                    foreach (var page in pdf.GetPages())
                    {
                        text.Append(ContentOrderTextExtractor.GetText(page)).Append('\n');
                    }

                    return text.ToString();
                }

                case ".docx":
                {
                    using var stream = new MemoryStream(content);
                    using var document = WordprocessingDocument.Open(stream, false);
                    var body = document.MainDocumentPart?.Document?.Body;
                    return body is null
                        ? ""
                        : string.Join('\n', body.Elements<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText));
                }

                case ".eml":
                {
                    using var stream = new MemoryStream(content);
                    var message = MimeMessage.Load(stream);
                    return $"From: {message.From}\nTo: {message.To}\nDate: {message.Date:yyyy-MM-dd HH:mm}\nSubject: {message.Subject}\n\n{message.TextBody ?? message.HtmlBody}";
                }

                case ".txt":
                    return Encoding.UTF8.GetString(content);
                default:
                    return null;
            }
        }
#pragma warning disable CA1031 // A damaged file (the readers throw many exception types) is collated without text, never a failed search.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}

/// <summary>Media types by file extension.</summary>
public static class MediaTypes
{
    public static string Of(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".eml" => "message/rfc822",
        ".txt" => "text/plain",
        _ => "application/octet-stream",
    };
}
