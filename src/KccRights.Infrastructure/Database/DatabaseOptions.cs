using System.ComponentModel.DataAnnotations;

namespace KccRights.Infrastructure.Database;

/// <summary>Where the database is. With no connection string the service runs its own PostgreSQL in the data directory.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where the embedded PostgreSQL cluster and the development message key live. Default: ./.data.</summary>
    [Required(ErrorMessage = "{0} must name a directory")]
    public string DataDirectory { get; set; } = ".data";
}
