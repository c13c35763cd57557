using System.Globalization;
using System.Text.RegularExpressions;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Domain.Text;
using MimeKit;

namespace KccRights.Intake.Classification;

/// <summary>
/// Understands one inbound message with explainable rules. Pure: no I/O beyond reading the message given. Never throws
/// for bad input: a message that cannot be parsed is kind <see cref="MessageKind.Other"/> with a reason.
/// </summary>
public sealed partial class MessageClassifier(ClassifierOptions options, TimeProvider time)
{
    public MessageClassifier()
        : this(new ClassifierOptions(), TimeProvider.System)
    {
    }

    public ClassificationResult Classify(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = MimeMessage.Load(stream);
        }
        catch (Exception ex) when (ex is FormatException or ParseException or IOException or ArgumentException)
        {
            return Unparseable($"the message cannot be parsed: {ex.GetType().Name}");
        }

        return Classify(message, raw);
    }

    public ClassificationResult Classify(MimeMessage message, ReadOnlySpan<byte> raw = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var started = time.GetTimestamp();
        try
        {
            var result = Cleaned(ClassifyParsed(message, raw));
            var took = time.GetElapsedTime(started);
            // Issue 9, item 1: a message that takes longer than its budget goes to an officer, with the reason.
            return took > options.Budget
                ? Flagged(result with { OverBudget = true }, [string.Create(CultureInfo.InvariantCulture, $"reading this message took {took.TotalSeconds:0.0} s, over the budget of {options.Budget.TotalSeconds:0.#} s: check what it asks")])
                : result;
        }
        catch (RegexMatchTimeoutException)
        {
            return Unparseable("the message text is too unusual to read in time (a pattern ran over its time limit): an officer must read it") with { OverBudget = true };
        }
        // Whatever a message contains, intake must record it and move on: an officer sees it.
        catch (Exception ex)
        {
            return Unparseable($"the message could not be read: {ex.GetType().Name}");
        }
    }

    private static ClassificationResult Unparseable(string reason) => new()
    {
        Kind = MessageKind.Other,
        Confidence = 0,
        Language = "und",
        Reasons = [reason],
        NeedsTriage = true,
        TriageReasons = [reason],
        ParseProblems = [reason],
    };

    private const int MaxSubjectChars = 2_000;

    private static ClassificationResult Flagged(ClassificationResult result, IReadOnlyList<string> reasons) =>
        reasons.Count == 0 ? result : result with { NeedsTriage = true, TriageReasons = [.. result.TriageReasons, .. reasons], Reasons = [.. result.Reasons, .. reasons] };

    /// <summary>
    /// Issue 9, item 2: nothing with a control character (a NUL in a display name failed every insert) leaves the classifier.
    /// </summary>
    private static ClassificationResult Cleaned(ClassificationResult r) => r with
    {
        Requester = new Person(TextCleaner.Line(r.Requester.Name) is { Length: > 0 } name ? name : null, TextCleaner.Line(r.Requester.Email)),
        Subject = r.Subject with
        {
            Name = TextCleaner.Line(r.Subject.Name),
            PreviousNames = r.Subject.PreviousNames.Select(n => TextCleaner.Line(n)!).ToList(),
            School = TextCleaner.Line(r.Subject.School),
            Upn = TextCleaner.Line(r.Subject.Upn),
            Address = TextCleaner.Line(r.Subject.Address),
            Postcode = TextCleaner.Line(r.Subject.Postcode),
        },
        Reference = TextCleaner.Line(r.Reference),
        Reasons = r.Reasons.Select(x => TextCleaner.Line(x)!).ToList(),
        TriageReasons = r.TriageReasons.Select(x => TextCleaner.Line(x)!).ToList(),
        Attachments = r.Attachments.Select(a => a with { Name = TextCleaner.Line(a.Name)!, ContentType = TextCleaner.Line(a.ContentType)! }).ToList(),
        MessageId = TextCleaner.Line(r.MessageId),
        InReplyTo = TextCleaner.Line(r.InReplyTo),
        ThreadReferences = r.ThreadReferences.Select(x => TextCleaner.Line(x)!).ToList(),
        BouncedMessageIds = r.BouncedMessageIds.Select(x => TextCleaner.Line(x)!).ToList(),
        BouncedRecipients = r.BouncedRecipients.Select(x => TextCleaner.Line(x)!).ToList(),
        ParseProblems = r.ParseProblems.Select(x => TextCleaner.Line(x)!).ToList(),
    };

    private ClassificationResult ClassifyParsed(MimeMessage message, ReadOnlySpan<byte> raw)
    {
        if (message.Headers.Count == 0 || (message.From.Count == 0 && message.MessageId is null && !message.Headers.Contains(HeaderId.Subject) && !message.Headers.Contains(HeaderId.Date)))
        {
            return Unparseable("not an email: no From, Subject, Date or Message-ID header");
        }

        var content = MessageContent.Read(message, raw, new ContentLimits(options.MaxTextChars, options.MaxHtmlChars));
        var result = ClassifyContent(message, content);
        if (TextCleaner.HasControlCharacters(message.From.Mailboxes.FirstOrDefault()?.Name))
        {
            result = result with { Reasons = [.. result.Reasons, "the sender's display name held control characters: they were removed"] };
        }

        return content.Truncations.Count > 0 ? Flagged(result with { OverBudget = true }, content.Truncations) : result;
    }

    private ClassificationResult ClassifyContent(MimeMessage message, MessageContent content)
    {
        var subject = TextCleaner.Line(message.Subject) ?? string.Empty;
        if (subject.Length > MaxSubjectChars)
        {
            subject = subject[..MaxSubjectChars];
        }

        var from = message.From.Mailboxes.FirstOrDefault();
        var reasons = new List<string>();
        var triage = new List<string>();
        var threadRefs = message.References.ToList();
        var caseReferences = CaseReference.FindAll(subject).Concat(CaseReference.FindAll(content.OwnText)).Distinct().ToList();

        var baseResult = new ClassificationResult
        {
            MessageId = message.MessageId,
            InReplyTo = message.InReplyTo,
            ThreadReferences = threadRefs,
            CaseReferences = caseReferences,
            Attachments = content.Attachments,
            ParseProblems = content.Problems,
            Requester = new Person(TextCleaner.Line(from?.Name) is { Length: > 0 } n ? n : null, TextCleaner.Line(from?.Address)),
            BouncedMessageIds = content.BouncedMessageIds,
        };

        // 1. Delivery reports (RFC 3464) and auto-replies (RFC 3834) are recorded, never answered (mail loops).
        if (Bounce(message, content, from) is { } bounce)
        {
            return baseResult with { Kind = MessageKind.Bounce, Confidence = bounce.Confidence, Reasons = [bounce.Reason], Language = "en", BouncedRecipients = content.BouncedRecipients };
        }

        if (AutoReply(message, subject) is { } auto)
        {
            return baseResult with { Kind = MessageKind.AutoReply, Confidence = auto.Confidence, Reasons = [auto.Reason], Language = "en" };
        }

        // 2. What the person asks for.
        var requester = baseResult.Requester;
        if (content.ForwardedFrom is { } original && from is not null && IsInternal(from.Address) && !IsInternal(original.Address))
        {
            requester = new Person(TextCleaner.Line(original.Name) is { Length: > 0 } on ? on : null, TextCleaner.Line(original.Address));
            reasons.Add($"forwarded by a council colleague: the requester is the original sender");
        }

        var body = string.Join('\n', content.OwnText, content.ForwardedText, content.PdfText);
        // Case references ("KCC-SAR-2026-000042") are threading data, not words of a request.
        var text = CaseReferenceText().Replace(Rules.Disclaimer.Replace(subject + "\n" + body, " "), "(case reference)");
        var language = LanguageDetector.Detect(content.OwnText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 5 ? content.OwnText : body + " " + subject);
        var scored = ScoreRights(subject, text, out var rightReasons);
        var chosen = scored.Where(s => s.Value >= options.RightThreshold).OrderBy(s => s.Key).ToList();
        chosen = DropContextRights(chosen, rightReasons);

        // An FOI request that only looks like an access request ("information request") is not one: people who want
        // their own data say so ("about me", "my records"), and then the FOI wording does not matter (ICO guidance).
        if (chosen.Count > 0 && chosen.All(c => c.Key == Right.Access)
            && Best(Rules.FreedomOfInformation, subject, text) is { Confidence: >= 0.85 } foiFirst
            && (chosen.All(c => c.Value < 0.7) || !Rules.PersonalCue.IsMatch(text)))
        {
            rightReasons.Add($"\"{foiFirst.Phrase}\" and nothing about a person's own data: treated as FOI");
            chosen = [];
        }
        chosen = DropEarlierRequests(chosen, CaseReferenceText().Replace(Rules.Disclaimer.Replace(body, " "), "(case reference)"), rightReasons);
        var complaint = chosen.Any(c => c.Key == Right.Complaint);

        // 3. Replies on a case: a reference in the subject, or a reply in a thread with no new request in it.
        var isRe = ReplyPrefix().IsMatch(subject);
        var threaded = message.InReplyTo is not null || threadRefs.Count > 0;
        var subjectRefs = CaseReference.FindAll(subject).ToList();
        (double Confidence, string Reason)? reply = null;
        if (!complaint)
        {
            if (subjectRefs.Count > 0)
            {
                reply = (0.95, $"case reference in the subject: \"{subjectRefs[0]}\"");
            }
            else if (caseReferences.Count > 0 && (isRe || threaded))
            {
                reply = (0.85, $"reply quoting case reference \"{caseReferences[0]}\"");
            }
            else if (threaded && isRe && !chosen.Any(c => c.Value >= options.TriageThreshold))
            {
                reply = (0.7, "a reply (In-Reply-To/References and a Re: subject) with no new request in it");
            }
        }

        // Issue 14, item 7: an advert or a newsletter that talks about erasure or subject access asks for nothing.
        if (reply is null && subjectRefs.Count == 0 && Marketing(message, subject, text) is { } marketing)
        {
            var marketingReasons = new List<string> { marketing.Reason };
            marketingReasons.AddRange(chosen.Select(c => $"mentions {c.Key.Id()} as a topic, not as a request"));
            return baseResult with
            {
                Kind = MessageKind.Other,
                Confidence = marketing.Confidence,
                Reasons = marketingReasons,
                Requester = requester,
                Language = language.Code,
                NeedsTriage = true,
                TriageReasons = [marketing.Reason],
            };
        }

        if (reply is { } r)
        {
            var replyReasons = new List<string> { r.Reason };
            if (content.Attachments.Count > 0)
            {
                replyReasons.Add($"carries {content.Attachments.Count} attachment(s): possibly ID for an officer to confirm");
            }

            replyReasons.AddRange(chosen.Select(c => $"also mentions {c.Key.Id()} (for the officer)"));
            return baseResult with
            {
                Kind = MessageKind.Reply,
                Confidence = r.Confidence,
                Reasons = replyReasons,
                Requester = requester,
                Language = language.Code,
                NeedsTriage = r.Confidence < options.TriageThreshold,
                TriageReasons = r.Confidence < options.TriageThreshold ? ["reply not clearly tied to a case"] : [],
            };
        }

        // 4. Not a rights request: FOI, spam, or nothing recognised. An officer sees each one.
        if (chosen.Count == 0)
        {
            var foi = Best(Rules.FreedomOfInformation, subject, text);
            var spam = Best(Rules.Spam, subject, text);
            var (confidence, reason) = foi is { Confidence: >= 0.8 } f
                ? (f.Confidence, $"Freedom of Information request, not a data-protection right: \"{f.Phrase}\" (pass to the FOI team)")
                : spam is { } s
                    ? (s.Confidence, $"looks like spam: \"{s.Phrase}\"")
                    : (0.5, "no data-protection right recognised");
            var otherReasons = new List<string> { reason };
            otherReasons.AddRange(rightReasons.Where(x => !x.StartsWith("complaint without", StringComparison.Ordinal)));
            return baseResult with
            {
                Kind = MessageKind.Other,
                Confidence = confidence,
                Reasons = otherReasons,
                Requester = requester,
                Language = language.Code,
                NeedsTriage = true,
                TriageReasons = [reason],
            };
        }

        // 5. A request: who for, and the identifiers an officer needs to find the person.
        reasons.AddRange(rightReasons);
        var overall = chosen.Min(c => c.Value);
        var relationship = Relationship.Self;
        if (chosen.All(c => c.Key == Right.Complaint))
        {
            reasons.Add("relationship: a complaint is the complainant's own");
        }
        else
        {
            (relationship, var relationshipReason) = DecideRelationship(text, TextCleaner.Line(from?.Name));
            reasons.Add(relationshipReason);
        }

        var referenceYear = (message.Date == DateTimeOffset.MinValue ? time.GetUtcNow() : message.Date).Year;
        var latest = LondonTime.Today(time);
        var subjectName = PersonDetails.SubjectName(text, relationship);
        string? subjectPersonName = subjectName?.Name;
        if (subjectName is { } sn)
        {
            reasons.Add($"subject name: \"{sn.Phrase}\"");
        }
        else if (relationship == Relationship.Self)
        {
            subjectPersonName = PersonDetails.LooksLikePersonalName(requester.Name) ? requester.Name : PersonDetails.SignedName(body);
            if (subjectPersonName is not null)
            {
                reasons.Add(PersonDetails.LooksLikePersonalName(requester.Name) ? "subject name: the sender's own name" : "subject name: signed at the end");
            }
        }

        var dob = DateOfBirthParser.FindDateOfBirth(text, referenceYear, latest, subjectPersonName);
        if (dob is { } d)
        {
            reasons.Add($"date of birth: \"{d.Phrase}\"");
        }

        var previous = PersonDetails.PreviousNames(text);
        reasons.AddRange(previous.Select(p => $"previous name: \"{p.Phrase}\""));
        var school = PersonDetails.School(text);
        if (school is { } sc)
        {
            reasons.Add($"school: \"{sc.Phrase}\"");
        }

        var upn = Upn.Find(text);
        if (upn is not null)
        {
            reasons.Add("UPN with a valid check letter");
        }

        var address = PersonDetails.Address(body);
        var agentReference = PersonDetails.AgentReference(text);
        if (agentReference is { } ar)
        {
            reasons.Add($"requester's reference: \"{ar.Phrase}\"");
        }

        if (content.Problems.Count > 0)
        {
            overall *= 0.7;
            triage.Add("the message is damaged: " + string.Join("; ", content.Problems));
        }

        if (language.Code != "en")
        {
            reasons.Add($"language: {language.Evidence}");
            triage.Add($"written in another language ({language.Code}): check the rights and arrange a translation");
        }

        if (overall < options.TriageThreshold)
        {
            triage.Add(string.Create(CultureInfo.InvariantCulture, $"low confidence ({overall:0.00}): confirm the rights asked for"));
        }

        if (complaint && caseReferences.Count > 0)
        {
            reasons.Add($"complaint about case \"{caseReferences[0]}\"");
        }

        return baseResult with
        {
            Kind = MessageKind.Request,
            Rights = chosen.Select(c => c.Key).ToList(),
            Relationship = relationship,
            Requester = requester,
            Subject = new DataSubject
            {
                Name = subjectPersonName,
                DateOfBirth = dob?.Date,
                PreviousNames = previous.Select(p => p.Name).ToList(),
                School = school?.School,
                Upn = upn,
                Address = address?.Address,
                Postcode = address?.Postcode,
            },
            Reference = agentReference?.Reference,
            Language = language.Code,
            Confidence = Math.Round(overall, 2),
            Reasons = reasons,
            NeedsTriage = triage.Count > 0,
            TriageReasons = triage,
        };
    }

    private bool IsInternal(string? address) =>
        address is not null && options.InternalDomains.Any(d => address.EndsWith("@" + d, StringComparison.OrdinalIgnoreCase) || address.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<Right, double> ScoreRights(string subject, string text, out List<string> reasons)
    {
        reasons = [];
        var scores = new Dictionary<Right, double>();
        foreach (var (right, rules) in Rules.RightRules)
        {
            var missing = 1.0;
            var phrases = new List<string>();
            foreach (var rule in rules)
            {
                var match = rule.Pattern.Match(rule.SubjectOnly ? subject : text);
                if (match.Success)
                {
                    missing *= 1 - rule.Weight;
                    phrases.Add($"{right.Id()}: \"{Phrase(match.Value)}\"");
                }
            }

            var score = 1 - missing;
            if (right == Right.Complaint && score > 0 && !Rules.ComplaintContext.IsMatch(text))
            {
                reasons.Add("complaint without a data-protection subject: not a s.164A complaint");
                score = Math.Min(score, 0.3);
            }

            if (score > 0)
            {
                scores[right] = Math.Round(score, 3);
                reasons.AddRange(phrases);
            }
        }

        return scores;
    }

    /// <summary>
    /// Words that describe the background of a strong request are not requests of their own: a complaint about a
    /// breach mentions a "wrong address"; a restriction pending an accuracy dispute (UK GDPR Art 18(1)(a)) says the
    /// data "is wrong" and asks to "stop using" it.
    /// </summary>
    private static List<KeyValuePair<Right, double>> DropContextRights(List<KeyValuePair<Right, double>> chosen, List<string> reasons)
    {
        var strong = chosen.Where(c => c.Value >= 0.85 && c.Key is Right.Complaint or Right.Restriction).Select(c => c.Key).ToList();
        if (strong.Count == 0)
        {
            return chosen;
        }

        var kept = new List<KeyValuePair<Right, double>>();
        foreach (var candidate in chosen)
        {
            var context = candidate.Value < 0.75 && !strong.Contains(candidate.Key)
                && (strong.Contains(Right.Complaint) || candidate.Key is Right.Rectification or Right.Objection);
            if (context)
            {
                reasons.Add($"{candidate.Key.Id()} taken as background to the {strong[0].Id()} request (weak evidence)");
            }
            else
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }

    /// <summary>
    /// Issue 14, item 7: a complaint names the request it is about ("my SAR response was incomplete", "I asked you to
    /// delete it and you refused"). A right whose only evidence is such a mention is background to the complaint, not a
    /// new request (DPA 2018 s.164A: the complaint is about the handling of that request; a new case would double it).
    /// The subject line of a complaint names its topic ("Subject access request - no reply"), so only the body counts.
    /// </summary>
    private List<KeyValuePair<Right, double>> DropEarlierRequests(List<KeyValuePair<Right, double>> chosen, string body, List<string> reasons)
    {
        if (!chosen.Any(c => c.Key == Right.Complaint) || chosen.Count == 1)
        {
            return chosen;
        }

        const string Placeholder = " (the earlier request) ";
        var rescored = ScoreRights(string.Empty, Rules.EarlierRequest.Replace(body, Placeholder), out _);
        var kept = new List<KeyValuePair<Right, double>>();
        foreach (var candidate in chosen)
        {
            if (candidate.Key != Right.Complaint && rescored.GetValueOrDefault(candidate.Key) < options.RightThreshold)
            {
                reasons.Add($"{candidate.Key.Id()} is the earlier request the complaint is about, not a new one");
            }
            else
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }

    /// <summary>Marketing or a newsletter: list headers (RFC 2369) and the words of adverts, with nothing about the writer's own data.</summary>
    private static (double Confidence, string Reason)? Marketing(MimeMessage message, string subject, string text)
    {
        var missing = 1.0;
        var phrases = new List<string>();
        if (message.Headers.Contains(HeaderId.ListUnsubscribe))
        {
            missing *= 1 - 0.6;
            phrases.Add("List-Unsubscribe header");
        }

        if (message.Headers.Contains(HeaderId.ListId))
        {
            missing *= 1 - 0.4;
            phrases.Add("List-Id header");
        }

        foreach (var rule in Rules.Marketing)
        {
            var match = rule.Pattern.Match(rule.SubjectOnly ? subject : text);
            if (match.Success)
            {
                missing *= 1 - rule.Weight;
                phrases.Add($"\"{Phrase(match.Value)}\"");
            }
        }

        var score = Math.Round(1 - missing, 2);
        if (score < 0.75 || Rules.OwnDataCue.IsMatch(text))
        {
            return null;
        }

        return (score, $"marketing or a newsletter, not a request (no case, no acknowledgement): {string.Join(", ", phrases)}");
    }

    private static (Relationship, string) DecideRelationship(string text, string? fromName)
    {
        var best = (Relationship: Relationship.Self, Score: 0.0, Phrase: string.Empty);
        foreach (var relationship in new[] { Relationship.Client, Relationship.Other, Relationship.Child })
        {
            var missing = 1.0;
            var phrase = string.Empty;
            foreach (var rule in Rules.RelationshipRules[relationship])
            {
                var match = rule.Pattern.Match(text);
                if (!match.Success && relationship == Relationship.Client && fromName is not null)
                {
                    match = rule.Pattern.Match(fromName);
                }

                if (match.Success)
                {
                    missing *= 1 - rule.Weight;
                    phrase = phrase.Length == 0 ? Phrase(match.Value) : phrase;
                }
            }

            var score = 1 - missing;
            if (score > best.Score + 0.05)
            {
                best = (relationship, score, phrase);
            }
        }

        return best.Score >= 0.6
            ? (best.Relationship, $"relationship {best.Relationship.Id()}: \"{best.Phrase}\"")
            : (Relationship.Self, "relationship self: no sign of acting for someone else");
    }

    private static (double Confidence, string Phrase)? Best(IEnumerable<PhraseRule> rules, string subject, string text)
    {
        (double, string)? best = null;
        foreach (var rule in rules)
        {
            var match = rule.Pattern.Match(rule.SubjectOnly ? subject : text);
            if (match.Success && (best is null || rule.Weight > best.Value.Item1))
            {
                best = (rule.Weight, Phrase(match.Value));
            }
        }

        return best;
    }

    private static (double Confidence, string Reason)? Bounce(MimeMessage message, MessageContent content, MailboxAddress? from)
    {
        if (content.HasDeliveryStatus)
        {
            return (0.98, "delivery status report (multipart/report; report-type=delivery-status)");
        }

        var local = from?.LocalPart ?? string.Empty;
        if (local.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase) || local.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return (0.9, $"sent by {local}");
        }

        return BounceSubject().Match(message.Subject ?? string.Empty) is { Success: true } m ? (0.7, $"delivery failure subject: \"{m.Value}\"") : null;
    }

    private static (double Confidence, string Reason)? AutoReply(MimeMessage message, string subject)
    {
        // RFC 3834: any Auto-Submitted value other than "no" marks an automatic message.
        if (message.Headers[HeaderId.AutoSubmitted] is { } submitted && !submitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return (0.95, $"Auto-Submitted: {submitted.Trim()}");
        }

        foreach (var header in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-AutoReply-From", "X-Mail-Autoreply" })
        {
            if (message.Headers.Contains(header))
            {
                return (0.95, $"{header} header");
            }
        }

        if (message.Headers[HeaderId.Precedence] is { } precedence && PrecedenceAuto().IsMatch(precedence))
        {
            return (0.9, $"Precedence: {precedence.Trim()}");
        }

        return AutoSubject().Match(subject) is { Success: true } m ? (0.8, $"automatic reply subject: \"{m.Value}\"") : null;
    }

    private static string Phrase(string value)
    {
        var phrase = WhiteSpace().Replace(value, " ").Trim();
        return phrase.Length > 80 ? phrase[..80] + "…" : phrase;
    }

    [GeneratedRegex(@"^\s*(?:(?:re|aw|sv|antw|odp|ateb|r|rif)\s*(?:\[\d+\])?\s*:\s*)+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex ReplyPrefix();

    [GeneratedRegex(@"^\s*(?:undeliver(?:ed|able)|delivery\s+(?:status\s+notification|has\s+failed|failure)|mail\s+delivery\s+(?:failed|failure|system)|returned\s+mail|failure\s+notice|non[-\s]?delivery)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"^\s*(?:auto[_\-\s]?reply|bulk|junk)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex PrecedenceAuto();

    [GeneratedRegex(@"^\s*(?:automatic\s+reply|auto(?:matic)?[-\s]?(?:reply|response)|autoreply|out\s+of\s+(?:the\s+)?office|auto\s*:|away\s+from\s+(?:the\s+)?office|odpowied[źz]\s+automatyczna|ateb\s+awtomatig|r[ée]ponse\s+automatique)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex AutoSubject();

    [GeneratedRegex(@"\bKCC-[A-Z]{3}-\d{4}-\d{6}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex CaseReferenceText();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex WhiteSpace();
}
