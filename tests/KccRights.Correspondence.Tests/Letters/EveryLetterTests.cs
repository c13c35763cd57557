using System.Globalization;
using System.Text.RegularExpressions;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Triage;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Validation;

namespace KccRights.Correspondence.Tests.Letters;

/// <summary>
/// Issue 14 item 5: every letter and reminder the workflow definitions send, rendered from the shipped templates for every
/// right that sends it and every reader it goes to, with dates from a real clock calculation, is checked for what made
/// the letters contradict the case: placeholders left empty or unrendered, internal slugs, "Dear requester", dates that
/// are not the case's, "we will respond" after the response, and paragraphs hard-wrapped in the source.
/// </summary>
public partial class EveryLetterTests
{
    private static readonly DeadlineCalculator Calculator = new(BankHolidayFile.Load());
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");
    private static readonly LetterTemplates Shipped = new();

    // Sent from outside the definitions: the record-owner team's chaser for a manual search (Collation, access cases).
    private static readonly (string Template, Right Right, string Recipient)[] SentByModules =
    [
        ("reminder-manual-search", Right.Access, "team"),
    ];

    // Sent by Disclosure's dispatch (issue 13 Build 6) through RequesterMail, with values the case does not hold.
    private static readonly string[] DispatchLetters = ["dispatch-response", "dispatch-password", "dispatch-link", "dispatch-code"];

    // The letters that go out once the council has answered (or closed): none may promise a response.
    private static readonly string[] AfterTheAnswer = ["send-response", "send-closure-no-id", "send-restriction-lift-notice"];

    private static string WorkflowsFolder => Path.Combine(AppContext.BaseDirectory, "workflows");

    private static List<WorkflowDefinition> Definitions() =>
        Directory.GetFiles(WorkflowsFolder, "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .Select(f => DefinitionLoader.ParseStored(File.ReadAllText(f)))
            .ToList();

    /// <summary>Every (template, right, reader) the definitions send, plus the modules' own reminders.</summary>
    public static IEnumerable<TestCaseData> Sends()
    {
        var sends = new SortedSet<(string Template, string Right, string Recipient)>();
        foreach (var definition in Definitions())
        {
            var timers = definition.Timers.Concat(definition.States.SelectMany(s => s.Timers)).Where(t => t.Notify is not null);
            foreach (var right in definition.Rights)
            {
                foreach (var activity in definition.States.Select(s => s.Activity?.Kind).OfType<string>().Where(Shipped.LetterKinds.Contains))
                {
                    sends.Add((activity, right.Id(), activity == "notify-recipients" ? "team" : "requester"));
                }

                foreach (var timer in timers)
                {
                    foreach (var to in timer.Notify!.To)
                    {
                        sends.Add((timer.Notify.Template, right.Id(), to switch { Recipient.Assignee => "officer", Recipient.Dpo => "role", _ => "team" }));
                    }
                }
            }
        }

        foreach (var (template, right, recipient) in SentByModules)
        {
            sends.Add((template, right.Id(), recipient));
        }

        return sends.Select(s => new TestCaseData(s.Template, s.Right, s.Recipient).SetName($"{s.Template} {s.Right} to {s.Recipient}"));
    }

    /// <summary>Each response variant: every outcome of the right's assessment, and the Art 12(5) refusal.</summary>
    public static IEnumerable<TestCaseData> Responses()
    {
        var decisionTypes = new[] { "rectification-assessment", "erasure-assessment", "restriction-assessment", "portability-assessment", "objection-assessment", "automated-decision-review" };
        foreach (var definition in Definitions())
        {
            var outcomes = definition.States.Select(s => s.Task).OfType<HumanTaskDefinition>().Where(t => decisionTypes.Contains(t.Type)).SelectMany(t => t.Outcomes).ToList();
            var refusable = definition.States.Any(s => s.Id == "refusal-sign-off");
            foreach (var right in definition.Rights)
            {
                foreach (var outcome in outcomes.DefaultIfEmpty(null))
                {
                    yield return new TestCaseData(right.Id(), outcome, false).SetName($"send-response {right.Id()} {outcome ?? "(no assessment)"}");
                }

                if (refusable)
                {
                    yield return new TestCaseData(right.Id(), null, true).SetName($"send-response {right.Id()} refused (Art 12(5))");
                }
            }
        }
    }

    public static IEnumerable<string> TemplateFiles() =>
        Directory.GetFiles(Shipped.Folder, "*.liquid").Append(Path.Combine(AppContext.BaseDirectory, "templates", AcknowledgementTemplates.FileName)).Select(f => Path.GetFileName(f)!);

    [TestCaseSource(nameof(Sends))]
    public async Task EveryLetterAndReminder_RendersForItsRightAndReader_WithTheCasesDates(string template, string rightId, string recipient)
    {
        Assert.That(Rights.TryParseId(rightId, out var right), Is.True);
        var (facts, allowed, required) = Case(template, right, recipient);
        var undefined = new List<string>();
        var (subject, body) = await Shipped.RenderAsync(template, rightId, LetterModel.Build(facts, Calculator), undefined);
        await TestContext.Out.WriteLineAsync($"Subject: {subject}\n\n{body}");

        AssertReadable(subject, body, undefined, allowed, required);
        Assert.Multiple(() =>
        {
            Assert.That(subject + body, Does.Contain(facts.Reference), "names the case reference");
            if (recipient == "requester")
            {
                Assert.That(body, Does.StartWith("Dear Sarah Whitlock,"), "addresses the requester by name");
            }
            else
            {
                Assert.That(body, Does.Not.StartWith("Dear Sarah").And.Not.StartWith("Dear Sir or Madam"), "a staff message addresses staff");
                Assert.That(body, Does.StartWith(recipient switch { "officer" => "Dear Priya Shah,", "role" => "Dear Data Protection Officer,", _ => "Dear colleagues," }));
            }

            if (AfterTheAnswer.Contains(template))
            {
                Assert.That(body, Does.Not.Match("(?i)will (now )?respond|respond by"), "sent after the answer: promises none");
            }

            if (right == Right.Complaint)
            {
                Assert.That(body, Does.Not.Match("(?i)respond by|request for a complaint"), "a complaint has no one-month date");
            }
        });
    }

    [TestCaseSource(nameof(Responses))]
    public async Task EveryResponse_SaysWhatWasDecidedOrWhatIsNotEnclosed_AndPromisesNoResponse(string rightId, string? decision, bool refused)
    {
        Assert.That(Rights.TryParseId(rightId, out var right), Is.True);
        var (facts, allowed, required) = Case("send-response", right, "requester");
        facts = facts with { Decision = decision, Refused = refused, RefusalReasons = refused ? "You have made the same request four times this month." : null };
        var undefined = new List<string>();
        var (subject, body) = await Shipped.RenderAsync("send-response", rightId, LetterModel.Build(facts, Calculator), undefined);
        await TestContext.Out.WriteLineAsync($"Subject: {subject}\n\n{body}");

        AssertReadable(subject, body, undefined, allowed, required);
        Assert.Multiple(() =>
        {
            Assert.That(body, Does.Not.Match("(?i)will (now )?respond|respond by"), "the response promises no response");
            if (refused)
            {
                Assert.That(body, Does.Contain("Article 12(5)").And.Contain("four times this month").And.Contain("Article 12(4)"), "a refusal gives its reasons and the rights to complain and go to court");
            }

            if (right == Right.Access && !refused)
            {
                Assert.That(body, Does.Contain("does not contain your information"), "until issue 13 sends the bundle, the email says plainly it holds none");
            }
        });
    }

    /// <summary>
    /// Issue 13 Build 6: the response with its encrypted PDF, the password apart, the download link and its code apart.
    /// Each secret appears only in its own message, never beside what it opens.
    /// </summary>
    [TestCaseSource(nameof(DispatchLetters))]
    public async Task DispatchLetters_RenderWithTheirValues_AndKeepEachSecretApart(string template)
    {
        var (facts, allowed, required) = Case(template, Right.Access, "requester");
        var expires = Calculator.AddWorkingDays(facts.Today, 10);
        var values = new Dictionary<string, object?>
        {
            ["file_name"] = "response-KCC-SAR-2026-000042.pdf",
            ["page_count"] = 37,
            ["password"] = "Xk7pQ2mZr9TwB4nVh8Ls",
            ["link_url"] = "https://rights.example.test/download/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE",
            ["expires_on"] = LetterModel.Date(expires),
            ["max_attempts"] = 5,
            ["code"] = "40172956",
        };
        var model = LetterModel.Build(facts, Calculator);
        foreach (var (key, value) in values)
        {
            model[key] = value;
        }

        var undefined = new List<string>();
        var (subject, body) = await Shipped.RenderAsync(template, "access", model, undefined);
        await TestContext.Out.WriteLineAsync($"Subject: {subject}\n\n{body}");
        AssertReadable(subject, body, undefined, [.. allowed, expires], template is "dispatch-response" or "dispatch-link" ? required : [facts.Today], template);
        Assert.Multiple(() =>
        {
            Assert.That(subject, Does.Contain(facts.Reference));
            Assert.That(body, Does.StartWith("Dear Sarah Whitlock,"));
            Assert.That(body, Does.Not.Match("(?i)will (now )?respond|respond by"), "sent with the answer: promises none");
            Assert.That(body.Contains("Xk7pQ2mZr9TwB4nVh8Ls", StringComparison.Ordinal), Is.EqualTo(template == "dispatch-password"), "the password only in its own message");
            Assert.That(body.Contains("40172956", StringComparison.Ordinal), Is.EqualTo(template == "dispatch-code"), "the code only in its own message");
            Assert.That(body.Contains("/download/", StringComparison.Ordinal), Is.EqualTo(template == "dispatch-link"), "the link only in its own message");
            if (template is "dispatch-response" or "dispatch-link")
            {
                Assert.That(body, Does.Contain("37 pages").And.Contain("separate email").And.Contain("Information Commissioner"));
            }
        });
    }

    [TestCase("send-id-request")]
    [TestCase("send-id-chaser")]
    [TestCase("send-closure-no-id")]
    public async Task IdentityLetters_ForEveryRequester_AskForWhatFitsThem(string template)
    {
        foreach (var relationship in new[] { "self", "child", "client", "other" })
        {
            var (facts, allowed, required) = Case(template, Right.Access, "requester");
            var undefined = new List<string>();
            var (subject, body) = await Shipped.RenderAsync(template, "access", LetterModel.Build(facts with { Relationship = relationship }, Calculator), undefined);
            AssertReadable(subject, body, undefined, allowed, required, $"{template}, {relationship}");
            Assert.That(subject + body, relationship == "self" ? Does.Contain("identity") : Does.Contain("authority"), relationship);
            if (template == "send-id-request")
            {
                // UK GDPR Art 12(6): the month restarts when what was asked for arrives (the id-received state's clock restart).
                Assert.That(body, Does.Contain("starts again from the day we receive"), relationship);
            }
        }
    }

    [Test]
    public async Task Acknowledgement_ForEveryRightAndRequester_AgreesWithTheClock()
    {
        var templates = new AcknowledgementTemplates();
        foreach (var right in Rights.All)
        {
            foreach (var relationship in new[] { "self", "child", "client", "other" })
            {
                foreach (var askForId in new[] { false, true })
                {
                    var received = right == Right.Complaint ? new DateOnly(2026, 7, 31) : new DateOnly(2026, 3, 3);
                    var deadline = Calculator.Calculate(new ClockInput { ReceivedOn = received });
                    var acknowledgeBy = ComplaintDates.AcknowledgeBy(received, Calculator);
                    var model = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["reference"] = $"KCC-{right.Code()}-2026-000042",
                        ["right_id"] = right.Id(),
                        ["right_title"] = LetterModel.Title(right),
                        ["provision"] = right.Provision(),
                        ["received_on"] = received.ToString("d MMMM yyyy", English),
                        ["due_on"] = LetterModel.Date(deadline.Due),
                        ["acknowledge_by"] = right == Right.Complaint ? LetterModel.Date(acknowledgeBy) : null,
                        ["requester_name"] = "Sarah Whitlock",
                        ["subject_name"] = relationship == "self" ? null : "Oliver Whitlock",
                        ["relationship"] = relationship,
                        ["agent_reference"] = relationship == "client" ? "HW/2231" : null,
                        ["ask_for_id"] = askForId,
                        ["linked"] = new List<Dictionary<string, object?>>(),
                    };
                    var undefined = new List<string>();
                    var (subject, body) = await templates.RenderAsync(model, undefined);
                    var label = $"{right.Id()}, {relationship}, ask for ID {askForId}";
                    var required = right == Right.Complaint ? new[] { received, acknowledgeBy } : [received, deadline.Due];
                    AssertReadable(subject, body, undefined, [received, deadline.Due, acknowledgeBy], required, label);
                    Assert.Multiple(() =>
                    {
                        if (right == Right.Complaint)
                        {
                            Assert.That(subject, Does.StartWith($"Your complaint KCC-CMP-2026-000042"), label);
                            Assert.That(body, Does.Contain("recorded it as a complaint").And.Contain("section 164A").And.Contain("30 days").And.Contain("by Tuesday 1 September 2026"), label);
                            Assert.That(body, Does.Not.Match("(?i)request for a complaint|respond by"), label + ": no one-month date for a complaint");
                        }
                        else
                        {
                            Assert.That(body, Does.Contain("We will respond by Tuesday 7 April 2026"), label);
                        }

                        // The case's clock counts from receipt; only the ID request an officer sends restarts it (Art 12(6)).
                        Assert.That(body, Does.Not.Match("(?i)time limit starts when we receive|clock (only )?starts when"), label + ": the clock already runs");
                        if (askForId)
                        {
                            Assert.That(body, Does.Contain("already counts from the day we received your request"), label);
                        }
                    });
                }
            }
        }
    }

    [TestCaseSource(nameof(TemplateFiles))]
    public void TemplateSource_HasOneLinePerParagraph(string file)
    {
        var path = File.Exists(Path.Combine(Shipped.Folder, file)) ? Path.Combine(Shipped.Folder, file) : Path.Combine(AppContext.BaseDirectory, "templates", file);
        Assert.That(HardWraps(File.ReadAllText(path)), Is.Empty, "paragraphs are single lines; the mail client wraps them");
    }

    [Test]
    public void EveryShippedTemplate_IsSentBySomething_AndThereIsNoDefaultLetter()
    {
        var sent = Sends().Select(c => (string)c.Arguments[0]!).Concat(TriageReplies.Templates.Select(t => t.Name)).Concat(DispatchLetters).ToHashSet(StringComparer.Ordinal);
        var orphans = Shipped.Names.Select(n => n.Split('.')[0]).Where(n => !sent.Contains(n)).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(orphans, Is.Empty, "a template no definition or module sends is dead wording");
            Assert.That(Shipped.Names, Does.Not.Contain("default"), "no fallback letter");
        });
    }

    /// <summary>Issue 14 item 1: the replies an officer sends from the triage inbox, to a sender with and without a usable name.</summary>
    [Test]
    public async Task EveryTriageReply_Renders_AddressingTheSender_WithTheDayTheirMessageArrived()
    {
        // Sun 29 March 2026 00:30 in London (GMT until 01:00): the day is the London date of the instant.
        var arrived = new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);
        var received = new DateOnly(2026, 3, 29);
        Assert.That(TriageReplies.Missing(Shipped), Is.Empty, "every triage reply has its wording");
        foreach (var template in TriageReplies.Templates)
        {
            foreach (var name in new[] { "Sarah Whitlock", "Evil\r\nBcc: x@example.com", null })
            {
                var undefined = new List<string>();
                var (subject, body) = await Shipped.RenderAsync(template.Name, null, TriageReplies.Model(name, arrived), undefined);
                await TestContext.Out.WriteLineAsync($"Subject: {subject}\n\n{body}");
                var label = $"{template.Name}, {name ?? "no name"}";
                AssertReadable(subject, body, undefined, [received], [received], label);
                Assert.That(body, Does.StartWith(name == "Sarah Whitlock" ? "Dear Sarah Whitlock," : name is null ? "Dear Sir or Madam," : "Dear Evil,"), label);
                Assert.That(body, Does.Not.Contain("Bcc").And.Not.Contain("x@example.com"), label);
            }
        }
    }

    [Test]
    public void TheTriageReplyJob_WithATriageReplyUnworded_RefusesToStart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kcc-letters-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "triage-reply-tell-us-more.liquid"), "Subject: s\nDear {{ requester_name }},\n");
            Assert.That(
                () => new SendTriageReplyHandler(new Smtp.SmtpOptions(), new LetterTemplates(folder), new NoMail(), Microsoft.Extensions.Logging.Abstractions.NullLogger<SendTriageReplyHandler>.Instance),
                Throws.InvalidOperationException.With.Message.Contains("triage-reply-unknown-reference").And.Message.Contains("triage-reply-not-this-mailbox").And.Message.Not.Contains("tell-us-more"));
            Assert.That(() => new SendTriageReplyHandler(new Smtp.SmtpOptions(), Shipped, new NoMail(), Microsoft.Extensions.Logging.Abstractions.NullLogger<SendTriageReplyHandler>.Instance), Throws.Nothing);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class NoMail : Smtp.IMailSender
    {
        public Task SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is sent here");
    }

    [Test]
    public void ATemplateWithNoWording_IsAnError_NotADefaultLetter()
    {
        Assert.That(Shipped.Resolve("send-response", "erasure"), Is.EqualTo("send-response.erasure"));
        Assert.That(Shipped.Resolve("reminder-due-soon", "erasure"), Is.EqualTo("reminder-due-soon"));
        Assert.That(Shipped.Resolve("reminder-nobody-wrote", "erasure"), Is.Null);
        Assert.That(Shipped.Missing("reminder-nobody-wrote", Right.Erasure), Does.Contain("reminder-nobody-wrote.liquid"));
        Assert.That(
            async () => await Shipped.RenderAsync("reminder-nobody-wrote", "erasure", new Dictionary<string, object?>()),
            Throws.InvalidOperationException.With.Message.Contains("reminder-nobody-wrote"));
    }

    [Test]
    public void ADefinitionNamingATemplateWithNoWording_IsRefusedWhenTheDefinitionsLoad()
    {
        const string definition =
            """
            {
              "id": "letters", "title": "Letters", "rights": ["erasure"], "startState": "dispatch",
              "timers": [ { "id": "nudge", "after": { "days": 1 }, "notify": { "template": "reminder-nobody-wrote", "to": ["team"] } } ],
              "states": [
                { "id": "dispatch", "activity": { "kind": "send-response" }, "transitions": [ { "on": "sent", "to": "closed" } ] },
                { "id": "closed", "terminal": true }
              ]
            }
            """;
        var folder = Path.Combine(Path.GetTempPath(), "kcc-letters-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "send-response.access.liquid"), "Subject: Your request {{ reference }}\nDear {{ requester_name }}, by {{ due_date }}.\n");
            var undefined = new List<string>();
            _ = new LetterTemplates(folder).RenderAsync("send-response", "access", new Dictionary<string, object?> { ["reference"] = "KCC-SAR-2026-000042", ["requester_name"] = null }, undefined).GetAwaiter().GetResult();
            Assert.That(undefined, Is.EqualTo(new[] { "due_date" }), "a variable the model lacks is caught; one it holds as empty is not");
            var shipped = DefinitionLoader.Parse(definition, "letters.json", new WorkflowCatalog(["send-response"], [], [], null, Shipped)).Errors;
            var accessOnly = DefinitionLoader.Parse(definition, "letters.json", new WorkflowCatalog(["send-response"], [], [], null, new LetterTemplates(folder))).Errors;
            var notChecked = DefinitionLoader.Parse(definition, "letters.json", new WorkflowCatalog(["send-response"], [], [])).Errors;

            Assert.Multiple(() =>
            {
                Assert.That(shipped.Select(e => e.ToString()), Has.One.Contains("reminder-nobody-wrote").And.Contains("$.timers[0].notify.template"));
                Assert.That(shipped.Select(e => e.ToString()), Has.None.Contains("send-response"), "the shipped erasure response words it");
                Assert.That(accessOnly.Select(e => e.ToString()), Has.Some.Contains("'send-response' for the right 'erasure'"), "the access response does not word an erasure response");
                Assert.That(notChecked, Is.Empty, "without templates registered (the runtime's own tests) nothing is checked");
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void ComplaintAcknowledgementDate_Is30DaysAfterReceipt_RolledToAWorkingDay()
    {
        Assert.Multiple(() =>
        {
            // 30 days from Wed 1 July 2026 is Fri 31 July 2026.
            Assert.That(ComplaintDates.AcknowledgeBy(new DateOnly(2026, 7, 1), Calculator), Is.EqualTo(new DateOnly(2026, 7, 31)));

            // 30 days from Fri 31 July is Sun 30 August; Mon 31 August is a bank holiday.
            Assert.That(ComplaintDates.AcknowledgeBy(new DateOnly(2026, 7, 31), Calculator), Is.EqualTo(new DateOnly(2026, 9, 1)));
        });
    }

    /// <summary>A case for the template: its stored dates from the real calculator, the day the letter is written.</summary>
    private static (LetterFacts Facts, DateOnly[] Allowed, DateOnly[] Required) Case(string template, Right right, string recipient)
    {
        // Tue 3 March 2026: due Tue 7 April 2026 (Good Friday, Easter Monday). A complaint: Fri 31 July 2026.
        var received = right == Right.Complaint ? new DateOnly(2026, 7, 31) : new DateOnly(2026, 3, 3);
        var deadline = Calculator.Calculate(new ClockInput { ReceivedOn = received });
        var extended = template == "send-extension-notice";
        var dates = new CaseDates
        {
            CaseId = 42,
            ReceivedOn = received,
            ClockStart = deadline.ClockStart,
            DueOn = deadline.Due,
            NoticeBy = deadline.ExtensionNoticeBy,
            ExtendedDueOn = deadline.ExtendedDue,
            Extended = extended,
            EffectiveDueOn = extended ? deadline.ExtendedDue : deadline.Due,
            IsOpen = true,
        };
        var taskDue = Calculator.AddWorkingDays(received, 8);
        var today = template switch
        {
            "reminder-due-soon" => Calculator.AddWorkingDays(dates.EffectiveDueOn, -5),
            "reminder-due-today" => dates.EffectiveDueOn,
            "reminder-overdue" => Calculator.AddWorkingDays(dates.EffectiveDueOn, 2),
            "reminder-extension-notice-due" => Calculator.AddWorkingDays(dates.NoticeBy, -3),
            "reminder-complaint-acknowledgement-due" => received.AddDays(20),
            "reminder-manual-search" => Calculator.AddWorkingDays(taskDue, 1),
            _ => received.AddDays(12),
        };
        var acknowledgeBy = ComplaintDates.AcknowledgeBy(received, Calculator);
        var facts = new LetterFacts
        {
            Template = template,
            Reference = $"KCC-{right.Code()}-2026-000042",
            Right = right,
            RecipientKind = recipient,
            RecipientName = recipient switch { "officer" => "Priya Shah", "requester" => "Sarah Whitlock", _ => null },
            RequesterName = "Sarah Whitlock",
            Relationship = "child",
            Dates = dates,
            ExtensionReason = extended ? "The records are held in several systems and include social care files." : null,
            Today = today,
            TaskTitle = template == "reminder-manual-search" ? "Search Early Help Module by hand and upload what it holds" : null,
            TaskDueOn = template == "reminder-manual-search" ? taskDue : null,
            Chaser = template == "reminder-manual-search" ? 1 : null,
        };
        DateOnly[] allowed = [received, dates.ClockStart, dates.EffectiveDueOn, dates.DueOn, dates.NoticeBy, today, taskDue, acknowledgeBy];
        DateOnly[] required = template switch
        {
            "reminder-due-soon" or "reminder-due-today" or "reminder-overdue" or "notify-recipients" or "reminder-manual-search" => [dates.EffectiveDueOn],
            "reminder-extension-notice-due" => [dates.NoticeBy, dates.EffectiveDueOn],
            "send-extension-notice" => [dates.EffectiveDueOn, dates.DueOn, received],
            "send-complaint-acknowledgement" or "reminder-complaint-acknowledgement-due" => [acknowledgeBy, received],
            _ when recipient == "requester" => [received],
            _ => [received],
        };
        return (facts, allowed, required);
    }

    private static void AssertReadable(string subject, string body, IReadOnlyCollection<string> undefined, IReadOnlyCollection<DateOnly> allowed, IReadOnlyCollection<DateOnly> required, string label = "")
    {
        var text = subject + "\n" + body;
        var slugs = Slugs();
        var found = DateInText().Matches(text).Select(m => DateOnly.ParseExact(m.Groups["date"].Value, "d MMMM yyyy", English)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(undefined, Is.Empty, $"{label}: every variable the template reads is in the model");
            Assert.That(subject, Is.Not.Empty, label);
            Assert.That(text, Does.Not.Contain("{{").And.Not.Contain("}}").And.Not.Contain("{%").And.Not.Contain("%}").And.Not.Contain("Liquid error"), $"{label}: nothing left unrendered");
            Assert.That(EmptyPlaceholder().Matches(text).Select(m => m.Value), Is.Empty, $"{label}: no empty placeholder (a space before punctuation, a doubled space, empty brackets)");
            Assert.That(text, Does.Not.Contain("Dear requester"), label);
            Assert.That(slugs.Where(s => Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(s)}(?![\w-])")), Is.Empty, $"{label}: no internal slug");
            Assert.That(RightCode().Matches(text).Select(m => m.Value), Is.Empty, $"{label}: no right code outside the reference");
            Assert.That(found.Distinct(), Is.SubsetOf(allowed.Distinct()), $"{label}: every date is one of the case's");
            Assert.That(required.Distinct(), Is.SubsetOf(found.Distinct()), $"{label}: the case's dates are given");
            Assert.That(HardWraps(body), Is.Empty, $"{label}: no paragraph broken across lines");
        });
    }

    /// <summary>Every hyphenated id the definitions use (states, outcomes, events, activities, templates, conditions, task types, rights).</summary>
    private static HashSet<string> Slugs()
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in Definitions())
        {
            slugs.UnionWith(d.States.Select(s => s.Id));
            slugs.UnionWith(d.States.SelectMany(s => s.Transitions).Concat(d.AnyState).SelectMany(t => new[] { t.On, t.When }).OfType<string>());
            slugs.UnionWith(d.States.Select(s => s.Activity?.Kind).OfType<string>());
            slugs.UnionWith(d.States.Select(s => s.Task).OfType<HumanTaskDefinition>().SelectMany(t => t.Outcomes.Append(t.Type)));
            slugs.UnionWith(d.Timers.Concat(d.States.SelectMany(s => s.Timers)).SelectMany(t => new[] { t.Id, t.Notify?.Template, t.Event, t.When }).OfType<string>());
            slugs.UnionWith(d.Rights.Select(r => r.Id()));
        }

        slugs.UnionWith(Shipped.Names);
        slugs.RemoveWhere(s => !s.Contains('-', StringComparison.Ordinal));
        return slugs;
    }

    /// <summary>Lines of 60 characters or more followed by another line of prose: a paragraph hard-wrapped mid-sentence.</summary>
    private static List<string> HardWraps(string text)
    {
        static bool Prose(string line) =>
            line.Trim().Length > 0 && !line.TrimStart().StartsWith("{%", StringComparison.Ordinal) && !line.TrimStart().StartsWith("- ", StringComparison.Ordinal)
            && !line.StartsWith("Subject:", StringComparison.Ordinal);

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var wraps = new List<string>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (Prose(lines[i]) && Prose(lines[i + 1]) && lines[i].Length >= 60 && !".:?!".Contains(lines[i].TrimEnd()[^1], StringComparison.Ordinal))
            {
                wraps.Add(lines[i]);
            }
        }

        return wraps;
    }

    [GeneratedRegex(@"(?<date>\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4})")]
    private static partial Regex DateInText();

    [GeneratedRegex(@" [.,;:)]|\S  +\S|\(\s*\)|\b(?:by|on|is|was|from|for|to|reference)\s*$", RegexOptions.Multiline)]
    private static partial Regex EmptyPlaceholder();

    [GeneratedRegex(@"(?<!KCC-)\b(?:SAR|REC|ERA|RES|POR|OBJ|ADM|CMP)\b")]
    private static partial Regex RightCode();
}
