// A JDBC client of autoreport, as a BI tool would be one: it calls reports.<name>(...) through a
// PreparedStatement with the binds such tools use (dates as strings), reads the rows with the types a
// Java program asks for, and reads autoreport.report_parameters and report_views.<name>.
//
//   java -cp /usr/share/java/postgresql.jar test/jdbc/ReportClient.java URL COMMAND ...
//
//   call REPORT [NAME=KIND:VALUE ...]   SELECT * FROM reports.REPORT(NAME => ?, ...), one ? per binding:
//                                       string:V  setString (a date, as BI tools bind one)
//                                       int:V     setInt
//                                       text[]:V  setArray(createArrayOf("text", V split on commas))
//                                       null:T    setNull with Types.T (DATE, INTEGER, VARCHAR, ARRAY)
//                                       Parameters not named are left out: they take their defaults.
//   parameters                          SELECT * FROM autoreport.report_parameters
//   view REPORT                         SELECT * FROM report_views.REPORT
//   example                             the snippet shown in README.md (report "sales")
//
// Prints "columns: NAME TYPE, ...", then "row: V | V | ..." per row and "rows: N". Values are read by
// type: numeric as BigDecimal (plain digits), timestamptz as OffsetDateTime (printed as a UTC instant,
// 2026-01-27T21:03:00Z), date as LocalDate, integers as long, booleans as true/false, anything else
// (text, arrays) with getString; NULL prints as NULL. An SQL error prints "error SQLSTATE: first line of
// the message" and exits with status 3 (the java launcher itself uses 1); bad usage exits with status 2.
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

public class ReportClient {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      usage();
    }
    String url = args[0];
    String command = args[1];
    try (Connection c = DriverManager.getConnection(url)) {
      switch (command) {
        case "call" -> call(c, args);
        case "parameters" -> print(c.prepareStatement(
            "SELECT * FROM autoreport.report_parameters ORDER BY report, position"));
        case "view" -> {
          if (args.length != 3) {
            usage();
          }
          print(c.prepareStatement("SELECT * FROM report_views." + quoteIdent(args[2])));
        }
        case "example" -> example(c);
        default -> usage();
      }
    } catch (SQLException e) {
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      System.out.println("error " + e.getSQLState() + ": " + message);
      System.exit(3);
    }
  }

  // Builds the named-notation call from the bindings, binds each one its own way, prints the rows.
  static void call(Connection c, String[] args) throws SQLException {
    if (args.length < 3) {
      usage();
    }
    List<String> names = new ArrayList<>();
    List<String[]> binds = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      int colon = args[i].indexOf(':', eq + 1);
      if (eq < 1 || colon < 0) {
        usage();
      }
      names.add(args[i].substring(0, eq));
      binds.add(new String[] {args[i].substring(eq + 1, colon), args[i].substring(colon + 1)});
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM reports." + quoteIdent(args[2]) + "(");
    for (int i = 0; i < names.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(quoteIdent(names.get(i))).append(" => ?");
    }
    sql.append(")");
    System.out.println("sql: " + sql);
    PreparedStatement ps = c.prepareStatement(sql.toString());
    for (int i = 0; i < binds.size(); i++) {
      String kind = binds.get(i)[0];
      String value = binds.get(i)[1];
      switch (kind) {
        case "string" -> ps.setString(i + 1, value);
        case "int" -> ps.setInt(i + 1, Integer.parseInt(value));
        case "text[]" -> ps.setArray(i + 1,
            c.createArrayOf("text", value.isEmpty() ? new String[0] : value.split(",", -1)));
        case "null" -> ps.setNull(i + 1, sqlType(value));
        default -> usage();
      }
    }
    print(ps);
  }

  // The README's example (but for the connection), kept here so that the output README shows is what
  // this code really prints; jdbc_test.sh checks that it is.
  static void example(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM reports.sales(since => ?, top => ?)")) {
      ps.setString(1, "2026-02-01"); // a date parameter, bound as a string as BI tools bind it
      ps.setInt(2, 2);               // regions left out: it takes its default
      ResultSet rs = ps.executeQuery();
      while (rs.next())
        System.out.println(rs.getString("region") + " " + rs.getBigDecimal("total") + " "
            + rs.getObject("last_sale", OffsetDateTime.class));
    }
  }

  static void print(PreparedStatement ps) throws SQLException {
    try (ps; ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        columns.add(md.getColumnName(i) + " " + md.getColumnTypeName(i));
      }
      System.out.println("columns: " + String.join(", ", columns));
      int n = 0;
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          values.add(value(rs, i, md.getColumnTypeName(i)));
        }
        System.out.println("row: " + String.join(" | ", values));
        n++;
      }
      System.out.println("rows: " + n);
    }
  }

  // One value, read with the getter a Java program would use for its type.
  static String value(ResultSet rs, int i, String type) throws SQLException {
    String s = switch (type) {
      case "numeric" -> {
        BigDecimal d = rs.getBigDecimal(i);
        yield d == null ? null : d.toPlainString();
      }
      case "timestamptz" -> {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        yield t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
      }
      case "date" -> {
        LocalDate d = rs.getObject(i, LocalDate.class);
        yield d == null ? null : d.toString();
      }
      case "int2", "int4", "int8" -> {
        long l = rs.getLong(i);
        yield rs.wasNull() ? null : Long.toString(l);
      }
      case "bool" -> {
        boolean b = rs.getBoolean(i);
        yield rs.wasNull() ? null : Boolean.toString(b);
      }
      default -> rs.getString(i);
    };
    return s == null ? "NULL" : s;
  }

  static int sqlType(String name) {
    return switch (name) {
      case "DATE" -> Types.DATE;
      case "INTEGER" -> Types.INTEGER;
      case "VARCHAR" -> Types.VARCHAR;
      case "ARRAY" -> Types.ARRAY;
      default -> {
        usage();
        yield Types.NULL;
      }
    };
  }

  static String quoteIdent(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static void usage() {
    System.err.println("usage: ReportClient URL call REPORT [NAME=KIND:VALUE ...] | parameters | view REPORT | example");
    System.exit(2);
  }
}
