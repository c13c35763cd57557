using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>A case opened by hand, with the channel and the real received date (a request need not be in writing).</summary>
[Authorize(Policy = StaffAuthentication.CaseWorkers)]
public sealed class NewModel(CaseActions actions, TimeProvider time) : StaffPageModel
{
    public static readonly (string Id, string Label)[] RightChoices =
    [
        ("access", "Access: a copy of their data (Art 15)"),
        ("rectification", "Rectification: correct their data (Art 16)"),
        ("erasure", "Erasure: delete their data (Art 17)"),
        ("restriction", "Restriction: limit the use of their data (Art 18)"),
        ("portability", "Portability: data in a reusable format (Art 20)"),
        ("objection", "Objection: stop using their data (Art 21)"),
        ("automated-decision", "Automated decisions (Art 22)"),
        ("complaint", "A complaint about how a request was handled (DPA 2018 s.164A)"),
    ];

    [BindProperty] public string? RightId { get; set; }
    [BindProperty] public string? Channel { get; set; }
    [BindProperty] public DateParts Received { get; set; } = new();
    [BindProperty] public string? RequesterName { get; set; }
    [BindProperty] public string? RequesterEmail { get; set; }
    [BindProperty] public string? Relationship { get; set; }
    [BindProperty] public string? SubjectName { get; set; }
    [BindProperty] public string? Summary { get; set; }

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;

    public void OnGet() => Received = DateParts.From(LondonTime.Today(time));

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Rights.TryParseId(RightId, out var right))
        {
            AddError("right", "Select the right being asked for");
        }

        if (Channel is not ("letter" or "phone" or "in-person" or "email"))
        {
            AddError("channel", "Select how the request was made");
        }

        if (Relationship is not ("self" or "child" or "client" or "other"))
        {
            AddError("relationship", "Select whose data it is");
        }

        // Lengths limited with a clear message (issue 9 Build 5); CaseActions checks the same for the API.
        foreach (var (field, value, limit, what) in new[]
        {
            ("requester-name", RequesterName, CaseInput.MaxName, "The requester's name"),
            ("requester-email", RequesterEmail, CaseInput.MaxEmail, "The requester's email address"),
            ("subject-name", SubjectName, CaseInput.MaxName, "The data subject's name"),
            ("summary", Summary, CaseInput.MaxSummary, "What they asked for"),
        })
        {
            if (CaseInput.TooLong(Trimmed(value), limit, what) is { } tooLong)
            {
                AddError(field, tooLong);
            }
        }

        var (received, dateError) = Received.Parse("the date it was received");
        if (dateError is not null)
        {
            AddError("received", dateError);
        }
        else if (received > LondonTime.Today(time))
        {
            AddError("received", "The date it was received must be today or in the past");
        }

        if (Errors.Count > 0)
        {
            return Page();
        }

        try
        {
            var reference = await actions.OpenByHandAsync(
                new NewCaseRequest
                {
                    Right = right,
                    Channel = Channel!,
                    ReceivedOn = received!.Value,
                    RequesterName = Trimmed(RequesterName),
                    RequesterEmail = Trimmed(RequesterEmail),
                    Relationship = Relationship!,
                    SubjectName = Trimmed(SubjectName),
                    Summary = Trimmed(Summary),
                },
                Actor,
                FormToken,
                HttpContext.RequestAborted);

            // A repeated submission opened nothing new: go back to the queue rather than open a duplicate.
            return Redirect(reference is null ? "/cases?view=team" : $"/cases/{reference}");
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or BankHolidayDataException)
        {
            AddError("received", ex.Message);
            return Page();
        }
        catch (CaseInputException ex)
        {
            AddError("summary", ex.Message);
            return Page();
        }
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
