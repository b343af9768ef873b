namespace PSChat.HelpBuilder.Tests
{
    /// <summary>A small valid doc in PlatyPS schema 2.0.0; tests break one thing at a time.</summary>
    internal static class SampleDoc
    {
        public const string FileName = "docs/Send-Thing.md";

        public const string Text = @"---
external help file: PSChat.dll-Help.xml
Module Name: PSChat
online version:
schema: 2.0.0
---

# Send-Thing

## SYNOPSIS
Sends a **thing**
somewhere.

## SYNTAX

### ByName (Default)
```
Send-Thing [-Name] <string> [-Force] [<CommonParameters>]
```

### ById
```
Send-Thing -Id <int> [-Force] [<CommonParameters>]
```

## DESCRIPTION
Sends it. See [the spec](https://example.org/spec) and [Get-Thing](Get-Thing.md).

- one
- two

## EXAMPLES

### Example 1: Send by name
Before the code.

```powershell
Send-Thing -Name a
```

After the code.

## PARAMETERS

### -Name
The name.

```yaml
Type: String
Parameter Sets: ByName
Aliases: N, Label

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: True
```

### -Id
The id.

```yaml
Type: Int32
Parameter Sets: ById
Aliases:
Accepted values: 1, 2

Required: True
Position: Named
Default value: None
Accept pipeline input: True (ByPropertyName)
Accept wildcard characters: False
```

### -Force
Force it.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### System.String
A name.

## OUTPUTS

### None
Nothing.

## NOTES
A note.

## RELATED LINKS

[Get-Thing](Get-Thing.md)

[Online](https://example.org/send-thing)
";
    }
}
